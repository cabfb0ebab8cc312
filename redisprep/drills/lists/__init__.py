"""The lists drill: queues, blocking pops, LMOVE for a reliable queue, and the list encodings."""

from redisprep.drills.definition import Drill
from redisprep.drills.lists.checks import CHECKS
from redisprep.drills.lists.steps import STEPS
from redisprep.drills.requirements import Needs

DRILL = Drill(
    steps=STEPS,
    checks=CHECKS,
    interface=("push", "claim", "ack", "recover"),
    needs=Needs((6, 2), "LMOVE, BLMOVE", ("LMOVE", "BLMOVE")),
)

__all__ = ["DRILL"]
