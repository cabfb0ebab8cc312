"""The event-sourcing drill: a stream as the log, projections, crash recovery, snapshots and trimming."""

from redisprep.drills.definition import Drill
from redisprep.drills.event_sourcing.checks import CHECKS
from redisprep.drills.event_sourcing.steps import STEPS
from redisprep.drills.requirements import Needs

DRILL = Drill(
    steps=STEPS,
    checks=CHECKS,
    interface=(
        "append",
        "create_group",
        "read",
        "apply",
        "claim",
        "replay",
        "save_snapshot",
        "load_snapshot",
    ),
    needs=Needs((6, 2), "XAUTOCLAIM, exclusive XRANGE ranges, XTRIM MINID", ("XAUTOCLAIM",)),
)

__all__ = ["DRILL"]
