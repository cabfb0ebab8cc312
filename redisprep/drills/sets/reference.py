"""Sets for membership and set algebra ("follows", tags, mutual friends), plus a naive list variant.

Interface (``r`` is a ``redis.Redis`` client; multi-key functions need one hash slot on a cluster):

- ``add(r, key, members) -> int``: add members; returns how many were new.
- ``size(r, key) -> int``: how many distinct members.
- ``contains(r, key, members) -> list[bool]``: membership of each, in one call.
- ``common(r, keys) -> set[str]``: members in every set.
- ``common_count(r, keys, limit=0) -> int``: how many members are in every set; with ``limit``
  stop counting there ("do they share at least 3?"). A missing key counts as an empty set.

Every function costs one round trip.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any


def add(r: Any, key: str, members: Iterable[str]) -> int:
    """SADD: O(1) per member; a member already present is not added again."""
    return int(r.sadd(key, *members))


def size(r: Any, key: str) -> int:
    """SCARD: O(1), the size is stored."""
    return int(r.scard(key))


def contains(r: Any, key: str, members: Sequence[str]) -> list[bool]:
    """SMISMEMBER: O(1) per member (a hash lookup, not a scan)."""
    return [bool(x) for x in r.smismember(key, list(members))]


def common(r: Any, keys: Sequence[str]) -> set[str]:
    """SINTER: O(N*M) worst case, N the smallest set's size, M the number of sets."""
    return {str(m) for m in r.sinter(list(keys))}


def common_count(r: Any, keys: Sequence[str], limit: int = 0) -> int:
    """SINTERCARD numkeys key ... [LIMIT n] (Redis 7.0): the count without sending the members.

    fakeredis 2.40 answers WRONGTYPE when the *first* key is missing, where Redis answers 0; that
    error is mapped to Redis's answer here (it costs a second round trip on fakeredis only).
    """
    import redis

    args: list[Any] = ["SINTERCARD", len(keys), *keys]
    if limit:
        args += ["LIMIT", limit]
    try:
        return int(r.execute_command(*args))
    except redis.ResponseError as exc:
        if "WRONGTYPE" in str(exc) and not r.exists(keys[0]):
            return 0
        raise


# --- naive variant: a list used as a set -------------------------------------------------------


def naive_add(r: Any, key: str, members: Iterable[str]) -> int:
    """RPUSH: a list keeps duplicates, so "followed twice" counts twice."""
    items = list(members)
    r.rpush(key, *items)
    return len(items)


def naive_size(r: Any, key: str) -> int:
    """LLEN counts entries, duplicates included."""
    return int(r.llen(key))
