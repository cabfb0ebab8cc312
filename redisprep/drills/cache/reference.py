"""Cache-aside with leases and early refresh: the reference implementation, plus naive variants.

Interface (what a practice solution implements; ``r`` is a ``redis.Redis`` client, ``load`` a
zero-argument function that reads the database):

- ``read(r, key, load, ttl_s) -> str``: the cached value, or on a miss ``load()``'s, cached at ``key``
  as a string with a TTL of ``ttl_s`` seconds. However many callers miss at once, ``load`` runs once.
  A fill must never put back a value older than the last :func:`invalidate`.
- ``invalidate(r, key) -> None``: the write path, after the database changed.
- ``early_get(r, key, now, u, beta) -> tuple[str | None, bool]``: for hot keys with early refresh:
  the value (None on a miss) and whether *this* caller should recompute it now. ``now`` is the
  clock in seconds, ``u`` a uniform random number in (0, 1], ``beta`` how eagerly to refresh.
- ``early_set(r, key, value, delta_s, ttl_s, now) -> None``: store a recomputed value that took
  ``delta_s`` seconds to compute, valid for ``ttl_s`` seconds from ``now``.

Helper keys share the key's hash tag (``key + ":lease"``, ``key + ":refresh"``), so every function
runs on a cluster. A hit, ``invalidate``, ``early_get`` and ``early_set`` cost one round trip each;
a miss costs two (the lease, then the fill) plus the load.
"""

from __future__ import annotations

import math
import secrets
import time
from collections.abc import Callable
from typing import Any

#: How long a loader may hold its lease before another reader may take over (must exceed any load).
LEASE_MS = 5_000
#: How long a refresh flag lives if its holder never stores (must exceed any recompute).
REFRESH_FLAG_MS = 10_000
FIRST_POLL_S = 0.001
MAX_POLL_S = 0.02

# A hit returns the value; a miss hands out a lease to exactly one caller and asks the rest to wait.
_LOOKUP = """
local value = redis.call('GET', KEYS[1])
if value then return {'hit', value} end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return {'lease'} end
return {'wait'}
"""

# Fill only while our lease survives: an invalidation in between deleted it, and the old value loses.
_FILL = """
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
redis.call('DEL', KEYS[2])
return 1
"""

# Give the lease back (the load failed), only if it is still ours.
_ABANDON = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

# XFetch (Vattani et al. 2015): recompute early with probability rising towards expiry, and
# let only the caller that wins the NX flag do it.
_EARLY_GET = """
local e = redis.call('HMGET', KEYS[1], 'value', 'delta', 'expiry')
local now = tonumber(ARGV[1])
local value = e[1]
if value and now >= tonumber(e[3]) then value = false end
if value then
  local gap = -tonumber(e[2]) * tonumber(ARGV[3]) * math.log(tonumber(ARGV[2]))
  if now + gap < tonumber(e[3]) then return {value, 0} end
end
if redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[4]) then return {value, 1} end
return {value, 0}
"""

_EARLY_SET = """
redis.call('HSET', KEYS[1], 'value', ARGV[1], 'delta', ARGV[2], 'expiry', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('DEL', KEYS[2])
return 1
"""


def lease_key(key: str) -> str:
    """The single-flight lease of ``key``."""
    return f"{key}:lease"


def refresh_key(key: str) -> str:
    """The "refresh in progress" flag of an early-refresh entry."""
    return f"{key}:refresh"


def lookup(r: Any, key: str, token: str) -> tuple[str, str | None]:
    """GET, and on a miss SET lease NX PX, in one script.

    Returns:
        ``("hit", value)``; ``("lease", None)`` when this caller must load and fill; or
        ``("wait", None)`` when another caller holds the lease.
    """
    reply = r.eval(_LOOKUP, 2, key, lease_key(key), token, LEASE_MS)
    return str(reply[0]), (str(reply[1]) if len(reply) > 1 else None)


def fill(r: Any, key: str, token: str, value: str, ttl_s: int) -> bool:
    """SET key value EX ttl, only while ``token`` still holds the lease; False if it was invalidated."""
    return int(r.eval(_FILL, 2, key, lease_key(key), token, value, ttl_s)) == 1


def read(r: Any, key: str, load: Callable[[], str], ttl_s: int) -> str:
    """Cache-aside with a lease: one caller loads a missing key, the others wait for its fill."""
    token = secrets.token_hex(16)
    pause = FIRST_POLL_S
    while True:
        status, value = lookup(r, key, token)
        if status == "hit":
            return str(value)
        if status == "lease":
            try:
                value = load()
            except BaseException:
                r.eval(_ABANDON, 1, lease_key(key), token)
                raise
            fill(r, key, token, value, ttl_s)
            return value
        time.sleep(pause)
        pause = min(pause * 2, MAX_POLL_S)


def invalidate(r: Any, key: str) -> None:
    """DEL the value and any lease in one command: a load already in flight can no longer fill."""
    r.delete(key, lease_key(key))


def early_get(r: Any, key: str, now: float, u: float, beta: float) -> tuple[str | None, bool]:
    """HMGET the entry, decide XFetch's coin flip, and take the refresh flag: one script."""
    value, mine = r.eval(
        _EARLY_GET, 2, key, refresh_key(key), repr(now), repr(u), repr(beta), REFRESH_FLAG_MS
    )
    return (None if value is None else str(value)), int(mine) == 1


def early_set(r: Any, key: str, value: str, delta_s: float, ttl_s: float, now: float) -> None:
    """Store value, recompute time and expiry; set the key's TTL; drop the refresh flag."""
    expiry = now + ttl_s
    r.eval(_EARLY_SET, 2, key, refresh_key(key), value, repr(delta_s), repr(expiry), int(ttl_s * 1000))


# --- naive variants, kept to show how they fail -------------------------------------------------


def naive_read(r: Any, key: str, load: Callable[[], str], ttl_s: int) -> str:
    """GET; on a miss load and SET EX. Every concurrent miss loads, and a slow load can set stale data."""
    value = r.get(key)
    if value is not None:
        return str(value)
    value = load()
    r.set(key, value, ex=ttl_s)
    return value


# Single-flight lock without the lease check: SET the value whatever happened meanwhile, then
# release the lock if it is still ours.
_FILL_UNCHECKED = """
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
return 1
"""


def lock_read(r: Any, key: str, load: Callable[[], str], ttl_s: int) -> str:
    """Single-flight with a lock (one load per miss), but the fill is a plain SET: stale sets remain."""
    token = secrets.token_hex(16)
    pause = FIRST_POLL_S
    while True:
        status, value = lookup(r, key, token)
        if status == "hit":
            return str(value)
        if status == "lease":
            value = load()
            r.eval(_FILL_UNCHECKED, 2, key, lease_key(key), token, value, ttl_s)
            return value
        time.sleep(pause)
        pause = min(pause * 2, MAX_POLL_S)


def plain_ttl_get(r: Any, key: str, now: float, u: float, beta: float) -> tuple[str | None, bool]:
    """Plain TTL: serve until expiry, then every caller misses and recomputes."""
    value, expiry = r.hmget(key, "value", "expiry")
    if value is None or now >= float(expiry):
        return None, True
    return str(value), False


def xfetch_get_unflagged(r: Any, key: str, now: float, u: float, beta: float) -> tuple[str | None, bool]:
    """XFetch without the NX flag: early, but several callers may recompute at the same time."""
    value, delta, expiry = r.hmget(key, "value", "delta", "expiry")
    if value is None or now >= float(expiry):
        return None, True
    return str(value), now - float(delta) * beta * math.log(u) >= float(expiry)
