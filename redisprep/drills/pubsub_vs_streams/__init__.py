"""The pubsub-vs-streams drill: one workload on Pub/Sub and on a stream, and what each delivers."""

from redisprep.drills.definition import Drill
from redisprep.drills.pubsub_vs_streams.checks import CHECKS
from redisprep.drills.pubsub_vs_streams.steps import STEPS

DRILL = Drill(
    steps=STEPS,
    checks=CHECKS,
    interface=("publish", "subscribe", "disconnect", "reconnect", "receive", "close"),
)

__all__ = ["DRILL"]
