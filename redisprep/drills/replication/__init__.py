"""The replication drill: acknowledged writes lost on failover, WAIT, and Sentinel, on private servers."""

from redisprep.drills.definition import Drill
from redisprep.drills.replication.checks import CHECKS
from redisprep.drills.replication.steps import STEPS

DRILL = Drill(
    steps=STEPS,
    checks=CHECKS,
    interface=("write",),
)

__all__ = ["DRILL"]
