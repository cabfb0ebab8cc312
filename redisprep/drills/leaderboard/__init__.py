"""The leaderboard drill: a sorted set as a real-time ranking, and how naive updates lose points."""

from redisprep.drills.definition import Drill
from redisprep.drills.leaderboard.checks import CHECKS
from redisprep.drills.leaderboard.steps import STEPS
from redisprep.drills.requirements import Needs

DRILL = Drill(
    steps=STEPS,
    checks=CHECKS,
    interface=("add_points", "top", "rank", "shared_rank", "around", "page"),
    needs=Needs((6, 2), "ZRANGE with REV and BYSCORE"),
)

__all__ = ["DRILL"]
