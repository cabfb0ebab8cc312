"""Rate-limit exercise: implement each limiter. `redisprep practice check rate-limit` grades it.

Every function receives `r`, a redis-py client created with decode_responses=True, the limiter's
`key` (it carries a hash tag: write only keys that start with it, and give every key an expiry),
`limit` requests per `window_ms` milliseconds, and `now_ms`, the caller's clock. Return True to
admit the request. Each decision must be atomic and cost one round trip.
"""

from __future__ import annotations

from typing import Any


def fixed_window(r: Any, key: str, limit: int, window_ms: int, now_ms: int) -> bool:
    """At most `limit` requests per aligned window of `window_ms`."""
    # TODO: one MULTI/EXEC (or one script); count first, then compare the count.
    raise NotImplementedError("TODO: fixed_window")


def sliding_log(r: Any, key: str, limit: int, window_ms: int, now_ms: int) -> bool:
    """At most `limit` requests in any `window_ms`, from a sorted set of timestamps."""
    # TODO: one Lua script
    raise NotImplementedError("TODO: sliding_log")


def sliding_counter(r: Any, key: str, limit: int, window_ms: int, now_ms: int) -> bool:
    """The sliding log's bound, estimated from this window's and the previous window's counters."""
    # TODO: one Lua script with both window keys in KEYS
    raise NotImplementedError("TODO: sliding_counter")


def token_bucket(r: Any, key: str, limit: int, window_ms: int, now_ms: int) -> bool:
    """A bucket of `limit` tokens, refilled at `limit` per `window_ms`; a request takes one token."""
    # TODO: one Lua script
    raise NotImplementedError("TODO: token_bucket")


def gcra(r: Any, key: str, limit: int, window_ms: int, now_ms: int) -> bool:
    """The generic cell rate algorithm: store only the theoretical arrival time."""
    # TODO: one Lua script
    raise NotImplementedError("TODO: gcra")
