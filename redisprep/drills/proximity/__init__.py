"""The proximity drill: GEOADD and GEOSEARCH, and the mistakes that lose or misplace neighbours."""

from redisprep.drills.definition import Drill
from redisprep.drills.proximity.checks import CHECKS
from redisprep.drills.proximity.steps import STEPS
from redisprep.drills.requirements import Needs

DRILL = Drill(
    steps=STEPS,
    checks=CHECKS,
    interface=("add_places", "nearby", "nearest"),
    needs=Needs((6, 2), "GEOSEARCH", ("GEOSEARCH",), optional=("geosearch-bybox",)),
)

__all__ = ["DRILL"]
