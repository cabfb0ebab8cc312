"""The cache drill: cache-aside with a TTL, stampedes, the stale-set race, early refresh and eviction."""

from redisprep.drills.cache.checks import CHECKS
from redisprep.drills.cache.steps import STEPS
from redisprep.drills.definition import Drill

DRILL = Drill(
    steps=STEPS,
    checks=CHECKS,
    interface=("read", "invalidate", "early_get", "early_set"),
)

__all__ = ["DRILL"]
