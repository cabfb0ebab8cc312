"""The hot-key drill: one key saturates one cluster node, and three remedies measured per node."""

from redisprep.drills.definition import Drill
from redisprep.drills.hot_key.checks import CHECKS
from redisprep.drills.hot_key.steps import STEPS

DRILL = Drill(
    steps=STEPS,
    checks=CHECKS,
    interface=("copy_key", "spread_copies", "write_copies", "read_copy", "cached_get"),
)

__all__ = ["DRILL"]
