"""The geo drill: a geo set is a sorted set whose score is a 52-bit geohash."""

from redisprep.drills.definition import Drill
from redisprep.drills.geo.checks import CHECKS
from redisprep.drills.geo.steps import STEPS

DRILL = Drill(
    steps=STEPS,
    checks=CHECKS,
    interface=("encode", "decode", "geohash_string"),
)

__all__ = ["DRILL"]
