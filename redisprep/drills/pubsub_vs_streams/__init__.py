"""The pubsub-vs-streams drill: one workload on Pub/Sub and on a stream, and what each delivers."""

from redisprep.drills.pubsub_vs_streams.checks import CHECKS
from redisprep.drills.pubsub_vs_streams.steps import STEPS
from redisprep.drills.spec import Drill

DRILL = Drill(
    name="pubsub-vs-streams",
    steps=STEPS,
    checks=CHECKS,
    reference="redisprep.drills.pubsub_vs_streams.reference",
    interface=("publish", "subscribe", "disconnect", "reconnect", "receive", "close"),
)

__all__ = ["DRILL"]
