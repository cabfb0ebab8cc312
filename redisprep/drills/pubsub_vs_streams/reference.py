"""A stream as a message feed: the feed interface of :mod:`redisprep.drills._pubsub`, over XADD and one
consumer group per subscriber, built from the event-sourcing pattern's functions.

Each subscriber is a consumer group, so each gets every message (fan-out); the group's position
lives on the server, so a subscriber that goes offline resumes where it stopped, and one created at
``0`` replays the history. Several consumers sharing one group would split the messages instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from redisprep.drills import _streams as es

#: Entries read per XREADGROUP round trip.
BATCH = 100


@dataclass
class StreamSubscriber:
    """A subscriber's handle: the stream, its group, and whether it is reading right now."""

    topic: str
    group: str
    online: bool = True


def publish(r: Any, topic: str, message: str) -> str:
    """XADD, O(1): the message is kept whether or not anyone is reading; returns its id."""
    return es.append(r, topic, {"body": message})


def subscribe(r: Any, topic: str, name: str, from_start: bool = False) -> StreamSubscriber:
    """A consumer group of its own, at ``0`` (the whole history) or ``$`` (only what comes next)."""
    es.create_group(r, topic, name, "0" if from_start else "$")
    return StreamSubscriber(topic, name)


def disconnect(r: Any, sub: StreamSubscriber) -> None:
    """Stop reading. Nothing is lost: the group remembers the last entry it was given."""
    sub.online = False


def reconnect(r: Any, sub: StreamSubscriber) -> None:
    """Read again, from where the group stopped."""
    sub.online = True


def receive(r: Any, sub: StreamSubscriber) -> list[str]:
    """XREADGROUP ``>`` until a batch comes back short, acknowledging each batch (XACK) once read."""
    if not sub.online:
        return []
    bodies: list[str] = []
    while True:
        batch = es.read(r, sub.topic, sub.group, sub.group, BATCH)
        if not batch:
            return bodies
        bodies += [fields.get("body", "") for _id, fields in batch]
        es.ack(r, sub.topic, sub.group, [entry_id for entry_id, _ in batch])
        if len(batch) < BATCH:
            return bodies


def close(r: Any, sub: StreamSubscriber) -> None:
    """XGROUP DESTROY: the subscription and its position are gone for good (the entries stay)."""
    sub.online = False
    r.xgroup_destroy(sub.topic, sub.group)
