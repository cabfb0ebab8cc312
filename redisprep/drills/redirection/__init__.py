"""The redirection drill: slots and hash tags, CROSSSLOT, and MOVED and ASK during a resharding."""

from redisprep.drills.definition import Drill
from redisprep.drills.redirection.checks import CHECKS
from redisprep.drills.redirection.steps import STEPS

DRILL = Drill(
    steps=STEPS,
    checks=CHECKS,
    interface=("keys_for", "follow_redirect"),
)

__all__ = ["DRILL"]
