"""The rate-limit drill: five limiters, the boundary burst, and the read-then-increment race."""

from redisprep.drills.definition import Drill
from redisprep.drills.rate_limit.checks import CHECKS
from redisprep.drills.rate_limit.reference import ALGORITHMS
from redisprep.drills.rate_limit.steps import STEPS

DRILL = Drill(
    steps=STEPS,
    checks=CHECKS,
    interface=ALGORITHMS,
)

__all__ = ["DRILL"]
