"""The hashes drill: objects with field-level updates, HINCRBY, field expiry where supported, encodings."""

from redisprep.drills.spec import Drill
from redisprep.drills.structures.hashes.checks import CHECKS
from redisprep.drills.structures.hashes.steps import STEPS

DRILL = Drill(
    name="hashes",
    steps=STEPS,
    checks=CHECKS,
    reference="redisprep.patterns.hashes",
    interface=("save", "load", "set_field", "add_to_field"),
)

__all__ = ["DRILL"]
