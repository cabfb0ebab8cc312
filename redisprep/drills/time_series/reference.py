"""A time series on a sorted set (score = timestamp), downsampled by range queries; and TS.* where present.

Interface (``r`` is a ``redis.Redis`` client; timestamps are Unix milliseconds, exact as scores
up to 2^53):

- ``add_many(r, key, points) -> int``: append (timestamp, value) points; returns how many were new.
- ``points(r, key, start, end) -> list[tuple[int, float]]``: raw points in [start, end], in time order.
- ``downsample(r, key, start, end, bucket_ms) -> list[Bucket]``: count, sum, min and max per bucket
  of ``bucket_ms`` (buckets aligned to the epoch, as TS.RANGE aligns them).
- ``trim(r, key, before) -> int``: retention: drop points older than ``before``.

Each member is ``"<timestamp>:<value>"``: a sorted set keeps each member once, so the timestamp in
the member keeps two equal readings at different times apart. Every function costs one round trip.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

Point = tuple[int, float]

# One range query, aggregated in the server: only the buckets cross the network. Lua numbers are
# doubles, and a script's number reply is truncated to an integer, so every number goes back as text.
_DOWNSAMPLE = """
local pts = redis.call('ZRANGE', KEYS[1], ARGV[1], ARGV[2], 'BYSCORE', 'WITHSCORES')
local size = tonumber(ARGV[3])
local out, cur, n, sum, lo, hi = {}, nil, 0, 0, 0, 0
local function flush()
  if cur then
    out[#out + 1] = {string.format('%.17g', cur), string.format('%.17g', n), string.format('%.17g', sum),
                     string.format('%.17g', lo), string.format('%.17g', hi)}
  end
end
for i = 1, #pts, 2 do
  local v = tonumber(string.match(pts[i], '([^:]*)$'))
  local ts = tonumber(pts[i + 1])
  local b = ts - (ts % size)
  if b ~= cur then
    flush()
    cur, n, sum, lo, hi = b, 0, 0, v, v
  end
  n = n + 1
  sum = sum + v
  if v < lo then lo = v end
  if v > hi then hi = v end
end
flush()
return out
"""


@dataclass(frozen=True, slots=True)
class Bucket:
    """One downsampled bucket."""

    start: int
    """Bucket start, a multiple of the bucket size (ms)."""
    count: int
    total: float
    low: float
    high: float

    @property
    def mean(self) -> float:
        """The average of the bucket's points."""
        return self.total / self.count


def member(ts: int, value: float) -> str:
    """The member stored for one point."""
    return f"{ts}:{value!r}"


def add_many(r: Any, key: str, points: Sequence[Point]) -> int:
    """ZADD key ts1 m1 ts2 m2 ...: O(log(N)) per point, late points land in order too."""
    return int(r.zadd(key, {member(ts, v): ts for ts, v in points}))


def points(r: Any, key: str, start: int, end: int) -> list[Point]:
    """ZRANGE key start end BYSCORE: O(log(N)+M) for M points in range."""
    return [(int(s), _value(m)) for m, s in r.zrange(key, start, end, byscore=True, withscores=True)]


def downsample(r: Any, key: str, start: int, end: int, bucket_ms: int) -> list[Bucket]:
    """One Lua script: ZRANGE BYSCORE, then count/sum/min/max per bucket inside the server."""
    reply = r.eval(_DOWNSAMPLE, 1, key, start, end, bucket_ms)
    return [Bucket(int(float(b)), int(float(n)), float(s), float(lo), float(hi)) for b, n, s, lo, hi in reply]


def trim(r: Any, key: str, before: int) -> int:
    """ZREMRANGEBYSCORE key -inf (before: O(log(N)+M) for M removed."""
    return int(r.zremrangebyscore(key, "-inf", f"({before}"))


def _value(stored: str) -> float:
    return float(str(stored).rsplit(":", 1)[-1])


# --- the same through RedisTimeSeries (Redis Stack, Redis 8, fakeredis) -------------------------


def ts_create(r: Any, key: str, retention_ms: int = 0) -> None:
    """TS.CREATE key RETENTION ms DUPLICATE_POLICY LAST."""
    r.execute_command("TS.CREATE", key, "RETENTION", retention_ms, "DUPLICATE_POLICY", "LAST")


def ts_add_many(r: Any, key: str, samples: Sequence[Point]) -> int:
    """TS.MADD key ts v key ts v ...: returns how many were stored."""
    args: list[Any] = []
    for ts, v in samples:
        args += [key, ts, v]
    return len(r.execute_command("TS.MADD", *args))


def ts_downsample(r: Any, key: str, start: int, end: int, bucket_ms: int, aggregator: str) -> list[Point]:
    """TS.RANGE key start end AGGREGATION aggregator bucket_ms: (bucket start, value) pairs."""
    reply = r.execute_command("TS.RANGE", key, start, end, "AGGREGATION", aggregator, bucket_ms)
    return [(int(ts), float(v)) for ts, v in reply]


# --- naive variant, kept to show how it fails --------------------------------------------------


def naive_add_many(r: Any, key: str, points: Sequence[Point]) -> int:
    """ZADD key ts value: the value is the member, so an equal reading later *moves* the earlier one."""
    return int(r.zadd(key, {repr(v): ts for ts, v in points}))
