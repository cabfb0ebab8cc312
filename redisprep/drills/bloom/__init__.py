"""The bloom drill: a Bloom filter on core bit commands, measured vs theoretical false positives, BF.*."""

from redisprep.drills.bloom.checks import CHECKS
from redisprep.drills.bloom.steps import STEPS
from redisprep.drills.definition import Drill

DRILL = Drill(
    steps=STEPS,
    checks=CHECKS,
    interface=("sizing", "add_many", "might_contain_many"),
)

__all__ = ["DRILL"]
