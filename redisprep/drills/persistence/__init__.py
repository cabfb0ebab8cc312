"""The persistence drill: acknowledged writes lost to ``kill -9`` per policy, and restart times."""

from redisprep.drills.definition import Drill
from redisprep.drills.persistence.checks import CHECKS
from redisprep.drills.persistence.steps import STEPS

DRILL = Drill(
    steps=STEPS,
    checks=CHECKS,
    interface=("write",),
)

__all__ = ["DRILL"]
