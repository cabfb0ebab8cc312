"""The hashes drill: objects with field-level updates, HINCRBY, field expiry where supported, encodings."""

from redisprep.drills.definition import Drill
from redisprep.drills.hashes.checks import CHECKS
from redisprep.drills.hashes.steps import STEPS

DRILL = Drill(
    steps=STEPS,
    checks=CHECKS,
    interface=("save", "load", "set_field", "add_to_field"),
)

__all__ = ["DRILL"]
