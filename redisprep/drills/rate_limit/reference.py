"""Rate limiters on Redis: five correct algorithms, plus the naive check-then-act variants drills contrast.

Interface (what a practice solution implements; ``r`` is a ``redis.Redis`` client). Every limiter has
the same signature and answers one request: admitted (True) or denied (False).

- ``fixed_window(r, key, limit, window_ms, now_ms) -> bool``: at most ``limit`` per aligned window.
- ``sliding_log(r, key, limit, window_ms, now_ms) -> bool``: at most ``limit`` in any ``window_ms``.
- ``sliding_counter(r, key, limit, window_ms, now_ms) -> bool``: the log's bound, estimated from two
  fixed windows.
- ``token_bucket(r, key, limit, window_ms, now_ms) -> bool``: a bucket of ``limit`` tokens refilled
  at ``limit`` per ``window_ms``.
- ``gcra(r, key, limit, window_ms, now_ms) -> bool``: the generic cell rate algorithm, a token
  bucket stored as one timestamp.

``key`` names one client's limiter and should carry a hash tag (``redisprep:...:rl:{user42}``): every
key a limiter writes starts with it, so one decision touches one cluster slot. ``now_ms`` is the
caller's clock (injected, so runs are deterministic; production code reads ``TIME`` in the script).
Each decision is one round trip and atomic (one Lua script), and every key it writes expires.
"""

from __future__ import annotations

from typing import Any

ALGORITHMS = ("fixed_window", "sliding_log", "sliding_counter", "token_bucket", "gcra")
"""Interface function names, in the order tables show them."""

# Fixed window: count this request; the window's first request also sets the expiry.
_FIXED_WINDOW = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return count
"""

# Sliding log: drop entries older than the window, count, log this request if there is room.
# The member must be unique: "<now>-<how many entries already have this timestamp>".
_SLIDING_LOG = """
local limit, window, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= limit then return 0 end
local same = redis.call('ZCOUNT', KEYS[1], now, now)
redis.call('ZADD', KEYS[1], now, ARGV[3] .. '-' .. same)
redis.call('PEXPIRE', KEYS[1], window)
return 1
"""

# Sliding window counter: weight the previous window by how much of it still overlaps.
_SLIDING_COUNTER = """
local limit, window, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local previous = tonumber(redis.call('GET', KEYS[2]) or '0')
local elapsed = now % window
if previous * (window - elapsed) / window + current + 1 > limit then return 0 end
redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], 2 * window)
return 1
"""

# Token bucket in integer units of 1/window of a token: capacity limit*window, refill limit per ms,
# one request costs window. Integers keep Lua's doubles exact, so both backends agree to the unit.
_TOKEN_BUCKET = """
local limit, window, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local capacity = limit * window
local state = redis.call('HMGET', KEYS[1], 'units', 'ts')
local units, ts = tonumber(state[1]), tonumber(state[2])
if units == nil then units, ts = capacity, now end
units = math.min(capacity, units + math.max(0, now - ts) * limit)
local admitted = 0
if units >= window then
  units = units - window
  admitted = 1
end
redis.call('HSET', KEYS[1], 'units', units, 'ts', now)
redis.call('PEXPIRE', KEYS[1], window)
return admitted
"""

# GCRA: one value, the theoretical arrival time (TAT). Emission interval T = window/limit, burst
# tolerance = window (a burst of `limit`). Admit iff the new TAT is at most `window` ahead of now.
_GCRA = """
local limit, window, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local new_tat = tat + window / limit
if new_tat - window > now then return 0 end
redis.call('SET', KEYS[1], new_tat, 'PX', math.ceil(new_tat - now))
return 1
"""


def window_key(key: str, window_ms: int, now_ms: int, back: int = 0) -> str:
    """The counter key of the fixed window ``back`` windows before the one holding ``now_ms``."""
    return f"{key}:{now_ms // window_ms - back}"


def fixed_window(r: Any, key: str, limit: int, window_ms: int, now_ms: int) -> bool:
    """INCR the window's counter and, on the window's first request, set its expiry: one script.

    Expiring only when INCR returned 1 means steady traffic cannot keep pushing the expiry back,
    and the two commands cannot be separated by a crash (a counter without an expiry would never
    go away). This works on every Redis; ``MULTI INCR; PEXPIRE ... NX; EXEC`` (7.0+) is the same
    decision in a transaction. O(1).
    """
    return int(r.eval(_FIXED_WINDOW, 1, window_key(key, window_ms, now_ms), window_ms)) <= limit


def sliding_log(r: Any, key: str, limit: int, window_ms: int, now_ms: int) -> bool:
    """A sorted set of admitted timestamps, trimmed, counted and appended in one script.

    O(log N + M) for the trim, O(log N) for the insert; memory O(limit) per client.
    """
    return bool(r.eval(_SLIDING_LOG, 1, f"{key}:log", limit, window_ms, now_ms))


def sliding_counter(r: Any, key: str, limit: int, window_ms: int, now_ms: int) -> bool:
    """Two fixed-window counters (this one and the previous), read and bumped in one script. O(1)."""
    current = window_key(key, window_ms, now_ms)
    previous = window_key(key, window_ms, now_ms, back=1)
    return bool(r.eval(_SLIDING_COUNTER, 2, current, previous, limit, window_ms, now_ms))


def token_bucket(r: Any, key: str, limit: int, window_ms: int, now_ms: int) -> bool:
    """A hash (units, ts): refill by elapsed time, take one token if there is one. O(1)."""
    return bool(r.eval(_TOKEN_BUCKET, 1, f"{key}:bucket", limit, window_ms, now_ms))


def gcra(r: Any, key: str, limit: int, window_ms: int, now_ms: int) -> bool:
    """One string holding the theoretical arrival time; denial leaves it untouched. O(1)."""
    return bool(r.eval(_GCRA, 1, f"{key}:tat", limit, window_ms, now_ms))


# --- naive variants, kept to show how they fail -------------------------------------------------


def naive_fixed_window(r: Any, key: str, limit: int, window_ms: int, now_ms: int) -> bool:
    """GET the counter, compare in the application, then INCR: two round trips, and a race.

    Every client that reads before the others increment sees room and gets in.
    """
    counter = window_key(key, window_ms, now_ms)
    if int(r.get(counter) or 0) >= limit:
        return False
    r.eval(_FIXED_WINDOW, 1, counter, window_ms)
    return True


def naive_sliding_log(r: Any, key: str, limit: int, window_ms: int, now_ms: int) -> bool:
    """Trim and ZCARD in one pipeline, decide in the application, ZADD in a second: the same race."""
    log = f"{key}:log"
    pipe = r.pipeline(transaction=False)
    pipe.zremrangebyscore(log, "-inf", now_ms - window_ms)
    pipe.zcard(log)
    pipe.zcount(log, now_ms, now_ms)
    _, count, same = pipe.execute()
    if int(count) >= limit:
        return False
    pipe = r.pipeline(transaction=True)
    pipe.zadd(log, {f"{now_ms}-{same}-{id(pipe)}": now_ms})
    pipe.pexpire(log, window_ms)
    pipe.execute()
    return True
