"""The lock drill: SET NX PX with a token, a checked release, fencing, and how naive locks fail."""

from redisprep.drills.definition import Drill
from redisprep.drills.lock.checks import CHECKS
from redisprep.drills.lock.steps import STEPS

DRILL = Drill(
    steps=STEPS,
    checks=CHECKS,
    interface=("acquire", "release", "acquire_fenced", "fenced_write"),
)

__all__ = ["DRILL"]
