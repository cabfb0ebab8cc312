"""The sorted-sets drill: a priority queue with ZPOPMIN/BZPOPMIN, ranges by score and rank, encodings."""

from redisprep.drills.definition import Drill
from redisprep.drills.requirements import Needs
from redisprep.drills.sorted_sets.checks import CHECKS
from redisprep.drills.sorted_sets.steps import STEPS

DRILL = Drill(
    steps=STEPS,
    checks=CHECKS,
    interface=("schedule", "pop_next", "pop_next_blocking", "due", "page"),
    needs=Needs((6, 2), "ZRANGE with BYSCORE and LIMIT"),
)

__all__ = ["DRILL"]
