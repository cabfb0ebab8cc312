"""Strings as counters, claim-once keys and bitmaps: the reference, plus the naive variants drills contrast.

Interface (``r`` is a ``redis.Redis`` client):

- ``count(r, key, by) -> int``: add ``by`` to a counter and return the new value.
- ``claim(r, key, owner, ttl_s) -> bool``: True for exactly one caller until the key expires
  (idempotency keys, "send this email once", a lock without the release part).
- ``mark_active(r, day, user_id) -> None``: record that a numeric user was active on ``day``.
- ``active_count(r, day) -> int``: how many distinct users were active on ``day``.
- ``active_on_all(r, dest, days) -> int``: users active on every one of ``days``; the keys must
  share a hash slot on a cluster (give them one hash tag).

Every function costs one round trip.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def count(r: Any, key: str, by: int = 1) -> int:
    """INCRBY: the server adds atomically, O(1). A missing key counts from 0."""
    return int(r.incrby(key, by))


def claim(r: Any, key: str, owner: str, ttl_s: int) -> bool:
    """SET key owner NX EX ttl: set only if absent, with its expiry in the same command, O(1)."""
    return bool(r.set(key, owner, nx=True, ex=ttl_s))


def mark_active(r: Any, day: str, user_id: int) -> None:
    """SETBIT day user_id 1: one bit per user id, O(1) (the string grows to cover the offset)."""
    r.setbit(day, user_id, 1)


def active_count(r: Any, day: str) -> int:
    """BITCOUNT: the number of set bits, O(N) in the bitmap's bytes."""
    return int(r.bitcount(day))


def active_on_all(r: Any, dest: str, days: Sequence[str]) -> int:
    """BITOP AND into ``dest``, then BITCOUNT it, in one script: one round trip, O(N) in the bytes.

    A script rather than MULTI/EXEC: redis-py's cluster pipeline refuses BITOP (it cannot tell
    that the keys share a slot), while a script runs wherever its keys' slot lives.
    """
    return int(r.eval(_AND_COUNT, 1 + len(days), dest, *days))


_AND_COUNT = """
redis.call('BITOP', 'AND', KEYS[1], unpack(KEYS, 2))
return redis.call('BITCOUNT', KEYS[1])
"""


# --- naive variants, kept to show how they fail -------------------------------------------------


def naive_count(r: Any, key: str, by: int = 1) -> int:
    """GET, add in the application, SET: concurrent callers overwrite each other's increments."""
    new = int(r.get(key) or 0) + by
    r.set(key, new)
    return new


def naive_claim(r: Any, key: str, owner: str, ttl_s: int) -> bool:
    """GET, and SET if it was empty: every caller that read before the first write wins."""
    if r.get(key) is not None:
        return False
    r.set(key, owner, ex=ttl_s)
    return True
