"""The rate-limit drill: five limiters, the boundary burst, and the read-then-increment race."""

from redisprep.drills.rate_limit.checks import CHECKS
from redisprep.drills.rate_limit.reference import ALGORITHMS
from redisprep.drills.rate_limit.steps import STEPS
from redisprep.drills.spec import Drill

DRILL = Drill(
    name="rate-limit",
    steps=STEPS,
    checks=CHECKS,
    reference="redisprep.drills.rate_limit.reference",
    interface=ALGORITHMS,
)

__all__ = ["DRILL"]
