"""The strings drill: counters, claim-once keys with SET NX EX, bitmaps, and the three string encodings."""

from redisprep.drills.definition import Drill
from redisprep.drills.strings.checks import CHECKS
from redisprep.drills.strings.steps import STEPS

DRILL = Drill(
    steps=STEPS,
    checks=CHECKS,
    interface=("count", "claim", "mark_active", "active_count", "active_on_all"),
)

__all__ = ["DRILL"]
