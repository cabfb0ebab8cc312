"""The rate-limit drill: five limiters, the boundary burst, and the read-then-increment race."""

from redisprep.drills.rate_limit.checks import CHECKS
from redisprep.drills.rate_limit.steps import STEPS
from redisprep.drills.spec import Drill
from redisprep.patterns.rate_limit import ALGORITHMS

DRILL = Drill(
    name="rate-limit",
    steps=STEPS,
    checks=CHECKS,
    reference="redisprep.patterns.rate_limit",
    interface=ALGORITHMS,
)

__all__ = ["DRILL"]
