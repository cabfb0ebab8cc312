"""The lock drill: SET NX PX with a token, a checked release, fencing, and how naive locks fail."""

from redisprep.drills.definition import Drill
from redisprep.drills.lock.checks import CHECKS
from redisprep.drills.lock.steps import STEPS

DRILL = Drill(
    name="lock",
    steps=STEPS,
    checks=CHECKS,
    reference="redisprep.drills.lock.reference",
    interface=("acquire", "release", "acquire_fenced", "fenced_write"),
)

__all__ = ["DRILL"]
