"""The hyperloglog drill: distinct counts in 12 KB, merging, the sparse/dense switch, exact vs approximate."""

from redisprep.drills.spec import Drill
from redisprep.drills.structures.hyperloglog.checks import CHECKS
from redisprep.drills.structures.hyperloglog.steps import STEPS

DRILL = Drill(
    name="hyperloglog",
    steps=STEPS,
    checks=CHECKS,
    reference="redisprep.patterns.hyperloglog",
    interface=("add_many", "count", "merge"),
)

__all__ = ["DRILL"]
