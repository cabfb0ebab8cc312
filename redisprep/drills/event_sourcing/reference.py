"""Event sourcing on a Redis stream: the reference implementation, plus the naive variants drills contrast.

Interface (what a practice solution implements; ``r`` is a ``redis.Redis`` client). An event is a dict
``{"type": "deposit" | "withdraw", "account": name, "amount": positive integer as text}``; the
projection is a hash whose fields are accounts and whose values are balances. Keys that one call
touches together (the stream and the projection) share a hash tag.

- ``append(r, stream, event, maxlen=None) -> str``: add the event to the log, return its id.
- ``create_group(r, stream, group, start="0") -> None``: a consumer group that reads from ``start``
  (``0`` the whole log, ``$`` only what comes next); creates the stream if needed; idempotent.
- ``read(r, stream, group, consumer, count) -> list[Entry]``: up to ``count`` entries never delivered
  to the group before.
- ``apply(r, stream, group, projection, entry) -> bool``: apply one entry to the projection and
  acknowledge it, atomically and at most once per group; False when it was already acknowledged.
- ``claim(r, stream, group, consumer, min_idle_ms, start="0-0", count=100) -> (cursor, entries,
  deleted)``: take over entries pending for at least ``min_idle_ms``; ``cursor`` is where the next
  call starts (``"0-0"`` when the scan is done), ``deleted`` the pending ids whose payload was trimmed
  (no longer pending afterwards).
- ``replay(r, stream, after=None, state=None) -> (balances, last_id)``: fold the log (only entries
  after ``after``) onto ``state``; ``last_id`` is the last entry folded (``after`` if none).
- ``save_snapshot(r, key, state, last_id) -> None`` and ``load_snapshot(r, key) -> (state, last_id)``.

append, read, apply and claim each cost one round trip (claim two on Redis 6.2 when it meets
trimmed entries); replay costs one per page of entries.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from redisprep.drills._streams import Entry as Entry
from redisprep.drills._streams import ack as ack
from redisprep.drills._streams import append as append
from redisprep.drills._streams import create_group as create_group
from redisprep.drills._streams import read as read
from redisprep.drills._streams import read_pending as read_pending

Balances = dict[str, int]

#: Entries fetched per XRANGE round trip when replaying.
REPLAY_PAGE = 500

# XACK answers 1 only the first time an entry is acknowledged, so "ack, and apply only if the ack
# counted" applies every entry once per group, whoever delivers it and however often. One script:
# no crash can fall between the apply and the ack. KEYS[1] stream, KEYS[2] projection (one slot).
_APPLY = """
if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('HINCRBY', KEYS[2], ARGV[3], ARGV[4])
return 1
"""


# Redis 6.2's XAUTOCLAIM leaves a trimmed entry pending, a nil in the reply: ack the consumer's
# pending ids in the claimed range whose entry is gone, as 7.0's XAUTOCLAIM does by itself.
# ARGV: group, consumer, start, end, count.
_DROP_TRIMMED = """
local gone = {}
for _, p in ipairs(redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[4], ARGV[5], ARGV[2])) do
  if #redis.call('XRANGE', KEYS[1], p[1], p[1]) == 0 then gone[#gone + 1] = p[1] end
end
if #gone > 0 then redis.call('XACK', KEYS[1], ARGV[1], unpack(gone)) end
return gone
"""


def delta(event: Mapping[str, str]) -> int:
    """The change an event makes to its account's balance.

    Raises:
        ValueError: The event's type is neither ``deposit`` nor ``withdraw``.
    """
    amount = int(event["amount"])
    if event["type"] == "deposit":
        return amount
    if event["type"] == "withdraw":
        return -amount
    raise ValueError(f"unknown event type {event['type']!r}")


def fold(state: Mapping[str, int], entries: Iterable[Entry]) -> Balances:
    """Balances after applying ``entries`` in order to a copy of ``state``."""
    balances = dict(state)
    for _id, event in entries:
        balances[event["account"]] = balances.get(event["account"], 0) + delta(event)
    return balances


def id_key(entry_id: str) -> tuple[int, int]:
    """A stream id as a sortable (milliseconds, sequence) pair."""
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq or 0)


def next_id(entry_id: str) -> str:
    """The smallest id greater than ``entry_id``."""
    ms, seq = id_key(entry_id)
    return f"{ms}-{seq + 1}"


def apply(r: Any, stream: str, group: str, projection: str, entry: Entry) -> bool:
    """XACK then HINCRBY in one script: one round trip, and a redelivered entry is not applied twice."""
    entry_id, event = entry
    applied = r.eval(_APPLY, 2, stream, projection, group, entry_id, event["account"], delta(event))
    return bool(applied)


def claim(
    r: Any,
    stream: str,
    group: str,
    consumer: str,
    min_idle_ms: int,
    start: str = "0-0",
    count: int = 100,
) -> tuple[str, list[Entry], list[str]]:
    """XAUTOCLAIM: move entries idle for ``min_idle_ms`` to ``consumer``; O(1) for a small COUNT.

    Redis 7.0+ adds a third reply element, the pending ids whose entries were trimmed away, and
    removes those from the pending list: this is the only time anyone hears of them. Redis 6.2
    answers with two elements, a nil in place of each trimmed entry, and leaves those pending (now
    ``consumer``'s) for ever; here one more round trip, only when that happens, finds their ids with
    ``XPENDING`` and acks them, so both releases end in the same state.
    """
    reply = r.xautoclaim(stream, group, consumer, min_idle_ms, start, count=count)
    cursor = str(reply[0])
    claimed = list(reply[1])
    entries = [(str(e[0]), dict(e[1] or {})) for e in claimed if e is not None and e[0] is not None]
    if len(reply) > 2:
        return cursor, entries, [str(i) for i in reply[2]]
    if len(entries) == len(claimed):
        return cursor, entries, []
    end = "+" if cursor == "0-0" else f"({cursor}"
    deleted = r.eval(_DROP_TRIMMED, 1, stream, group, consumer, start, end, count)
    return cursor, entries, [str(i) for i in deleted]


def replay(
    r: Any,
    stream: str,
    after: str | None = None,
    state: Mapping[str, int] | None = None,
) -> tuple[Balances, str | None]:
    """Fold ``XRANGE`` pages of the log, O(N) per page; starts after ``after`` (exclusive, ``(id``)."""
    balances = dict(state or {})
    last = after
    start = "-" if after is None else f"({after}"
    while True:
        batch = r.xrange(stream, min=start, max="+", count=REPLAY_PAGE)
        balances = fold(balances, batch)
        if batch:
            last = str(batch[-1][0])
            start = f"({last}"
        if len(batch) < REPLAY_PAGE:
            return balances, last


def save_snapshot(r: Any, key: str, state: Mapping[str, int], last_id: str | None) -> None:
    """The state and the last id it includes, in one value written by one SET (never half-written)."""
    r.set(key, json.dumps({"last_id": last_id, "state": dict(state)}, sort_keys=True))


def load_snapshot(r: Any, key: str) -> tuple[Balances, str | None]:
    """The snapshot's state and last id; an empty state and None when there is none."""
    raw = r.get(key)
    if raw is None:
        return {}, None
    doc = json.loads(raw)
    return {str(k): int(v) for k, v in doc["state"].items()}, doc["last_id"]


def retention_floor(r: Any, stream: str, snapshot_id: str | None = None) -> str | None:
    """The oldest id anyone still needs: the oldest entry pending in any group, the first entry a
    group has not been given yet, and the first entry after the snapshot (None: nothing to keep).

    XINFO GROUPS, then one pipelined XPENDING summary per group: two round trips, run as a chore.
    """
    groups = r.xinfo_groups(stream)
    pipe = r.pipeline(transaction=False)
    for group in groups:
        pipe.xpending(stream, group["name"])
    summaries = pipe.execute() if groups else []
    needed = [next_id(str(g["last-delivered-id"])) for g in groups]
    needed += [str(s["min"]) for s in summaries if s.get("min")]
    if snapshot_id is not None:
        needed.append(next_id(snapshot_id))
    return min(needed, key=id_key) if needed else None


def trim_to_floor(r: Any, stream: str, snapshot_id: str | None = None) -> int:
    """XTRIM MINID ~ at :func:`retention_floor`: drop only what no group and no replay needs."""
    floor = retention_floor(r, stream, snapshot_id)
    return 0 if floor is None else int(r.xtrim(stream, minid=floor, approximate=True))


# --- naive variants, kept to show how they fail -------------------------------------------------


def naive_apply_without_ack(r: Any, stream: str, group: str, projection: str, entry: Entry) -> bool:
    """HINCRBY and nothing else: a consumer that never acks, so every entry stays pending for ever."""
    _entry_id, event = entry
    r.hincrby(projection, event["account"], delta(event))
    return True


def naive_apply_unguarded(r: Any, stream: str, group: str, projection: str, entry: Entry) -> bool:
    """HINCRBY and XACK in one MULTI: acked, but a redelivered entry is applied once per delivery."""
    entry_id, event = entry
    pipe = r.pipeline(transaction=True)
    pipe.hincrby(projection, event["account"], delta(event))
    pipe.xack(stream, group, entry_id)
    pipe.execute()
    return True


def naive_claim_new_only(
    r: Any,
    stream: str,
    group: str,
    consumer: str,
    min_idle_ms: int,
    start: str = "0-0",
    count: int = 100,
) -> tuple[str, list[Entry], list[str]]:
    """Recovery that only asks for new entries (``>``): it never reclaims what a crashed consumer left."""
    return "0-0", read(r, stream, group, consumer, count), []


def naive_replay_inclusive(
    r: Any,
    stream: str,
    after: str | None = None,
    state: Mapping[str, int] | None = None,
) -> tuple[Balances, str | None]:
    """Tail replay from ``after`` itself (``XRANGE stream id +``): the snapshot's last event counts twice."""
    batch = r.xrange(stream, min="-" if after is None else after, max="+")
    last = str(batch[-1][0]) if batch else after
    return fold(state or {}, batch), last
