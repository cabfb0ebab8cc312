"""The time-series drill: a series on a sorted set with server-side downsampling, compared with TS.*."""

from redisprep.drills.definition import Drill
from redisprep.drills.requirements import Needs
from redisprep.drills.time_series.checks import CHECKS
from redisprep.drills.time_series.steps import STEPS

DRILL = Drill(
    steps=STEPS,
    checks=CHECKS,
    interface=("add_many", "points", "downsample", "trim"),
    needs=Needs((6, 2), "ZRANGE with BYSCORE, in a script"),
)

__all__ = ["DRILL"]
