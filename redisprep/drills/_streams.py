"""Consumer-group primitives on a Redis stream, shared by the event-sourcing and pubsub-vs-streams drills.

The event-sourcing reference exports them as part of its interface (``append``, ``create_group``,
``read``); the pubsub-vs-streams reference builds its stream feed on them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

Entry = tuple[str, dict[str, str]]


def _entries(reply: Any) -> list[Entry]:
    """Entries of the one stream in an XREADGROUP reply (``[[stream, entries]]`` in RESP2)."""
    if not reply:
        return []
    rows = next(iter(reply.values())) if isinstance(reply, dict) else reply[0][1]
    return [(str(entry_id), dict(fields or {})) for entry_id, fields in rows]


def append(r: Any, stream: str, event: Mapping[str, str], maxlen: int | None = None) -> str:
    """XADD with an auto id: O(1), plus O(N) for N entries trimmed when ``maxlen`` is given.

    ``maxlen`` trims approximately (``MAXLEN ~``): Redis frees only whole nodes, which is cheap and
    may keep a few more entries than asked.
    """
    return str(r.xadd(stream, dict(event), maxlen=maxlen, approximate=True))


def create_group(r: Any, stream: str, group: str, start: str = "0") -> None:
    """XGROUP CREATE ... MKSTREAM, O(1); an existing group is left as it is."""
    import redis

    try:
        r.xgroup_create(stream, group, id=start, mkstream=True)
    except redis.ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise


def read(r: Any, stream: str, group: str, consumer: str, count: int) -> list[Entry]:
    """XREADGROUP ... STREAMS stream ``>``: new entries, now pending for ``consumer`` until acked."""
    return _entries(r.xreadgroup(group, consumer, {stream: ">"}, count=count))


def read_pending(r: Any, stream: str, group: str, consumer: str, count: int) -> list[Entry]:
    """XREADGROUP ... STREAMS stream ``0``: this consumer's own unacknowledged entries (after a restart).

    Not part of the drill's interface; a restarted consumer calls it before going back to ``>``.
    """
    return _entries(r.xreadgroup(group, consumer, {stream: "0"}, count=count))


def ack(r: Any, stream: str, group: str, ids: Iterable[str]) -> int:
    """XACK without a projection (a plain subscriber); not part of the drill's interface."""
    batch = list(ids)
    return int(r.xack(stream, group, *batch)) if batch else 0
