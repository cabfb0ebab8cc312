"""Event-sourcing exercise: implement each function. `redisprep practice check event-sourcing` grades it.

`r` is a redis-py client created with decode_responses=True. An event is a dict with "type"
("deposit" or "withdraw"), "account" and "amount" (a positive integer as text). The projection is a
hash of account -> balance. append, read, apply and claim must each cost one round trip.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Entry = tuple[str, dict[str, str]]
Balances = dict[str, int]


def append(r: Any, stream: str, event: Mapping[str, str], maxlen: int | None = None) -> str:
    """Add `event` to the log; return its id."""
    # TODO
    raise NotImplementedError("TODO: append")


def create_group(r: Any, stream: str, group: str, start: str = "0") -> None:
    """Create a consumer group reading from `start` (and the stream if needed); idempotent."""
    # TODO
    raise NotImplementedError("TODO: create_group")


def read(r: Any, stream: str, group: str, consumer: str, count: int) -> list[Entry]:
    """Up to `count` entries never delivered to `group` before."""
    # TODO
    raise NotImplementedError("TODO: read")


def apply(r: Any, stream: str, group: str, projection: str, entry: Entry) -> bool:
    """Apply `entry` to the projection and acknowledge it, atomically and at most once per group."""
    # TODO: one round trip; a redelivered entry must not be applied twice.
    raise NotImplementedError("TODO: apply")


def claim(
    r: Any, stream: str, group: str, consumer: str, min_idle_ms: int, start: str = "0-0", count: int = 100
) -> tuple[str, list[Entry], list[str]]:
    """Take over entries pending for at least `min_idle_ms`: (next cursor, entries, trimmed ids)."""
    # TODO
    raise NotImplementedError("TODO: claim")


def replay(
    r: Any, stream: str, after: str | None = None, state: Mapping[str, int] | None = None
) -> tuple[Balances, str | None]:
    """Fold the log's entries after `after` (all when None) onto `state`; return (balances, last id)."""
    # TODO
    raise NotImplementedError("TODO: replay")


def save_snapshot(r: Any, key: str, state: Mapping[str, int], last_id: str | None) -> None:
    """Store the state and the last id it includes, so that it is never half-written."""
    # TODO
    raise NotImplementedError("TODO: save_snapshot")


def load_snapshot(r: Any, key: str) -> tuple[Balances, str | None]:
    """The stored state and last id; ({}, None) when there is no snapshot."""
    # TODO
    raise NotImplementedError("TODO: load_snapshot")
