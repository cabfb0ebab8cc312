"""The sets drill: membership, set algebra, counting with SINTERCARD (7.0+), and the encodings."""

from redisprep.drills.definition import Drill
from redisprep.drills.requirements import Needs
from redisprep.drills.sets.checks import CHECKS
from redisprep.drills.sets.steps import STEPS

DRILL = Drill(
    steps=STEPS,
    checks=CHECKS,
    interface=("add", "size", "contains", "common", "common_count"),
    needs=Needs((6, 2), "SMISMEMBER", ("SMISMEMBER",), optional=("sintercard",)),
)

__all__ = ["DRILL"]
