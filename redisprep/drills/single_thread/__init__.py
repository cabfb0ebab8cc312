"""The single-thread drill: what one slow command does to every other client, measured."""

from redisprep.drills.definition import Drill
from redisprep.drills.single_thread.checks import CHECKS
from redisprep.drills.single_thread.steps import STEPS

DRILL = Drill(
    steps=STEPS,
    checks=CHECKS,
    interface=("drop",),
)

__all__ = ["DRILL"]
