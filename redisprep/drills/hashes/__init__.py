"""The hashes drill: objects with field-level updates, HINCRBY, field expiry where supported, encodings."""

from redisprep.drills.hashes.checks import CHECKS
from redisprep.drills.hashes.steps import STEPS
from redisprep.drills.spec import Drill

DRILL = Drill(
    name="hashes",
    steps=STEPS,
    checks=CHECKS,
    reference="redisprep.drills.hashes.reference",
    interface=("save", "load", "set_field", "add_to_field"),
)

__all__ = ["DRILL"]
