"""The hyperloglog drill: distinct counts in 12 KB, merging, the sparse/dense switch, exact vs approximate."""

from redisprep.drills.definition import Drill
from redisprep.drills.hyperloglog.checks import CHECKS
from redisprep.drills.hyperloglog.steps import STEPS

DRILL = Drill(
    steps=STEPS,
    checks=CHECKS,
    interface=("add_many", "count", "merge"),
)

__all__ = ["DRILL"]
