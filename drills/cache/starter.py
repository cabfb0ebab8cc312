"""Cache exercise: implement each function. `redisprep practice check cache` grades it.

`r` is a redis-py client created with decode_responses=True. `load` is a zero-argument function
that reads the (slow) database and returns a string. Helper keys must start with `key` so they
share its hash tag. A hit, invalidate, early_get and early_set must each cost one round trip.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def read(r: Any, key: str, load: Callable[[], str], ttl_s: int) -> str:
    """The cached value; on a miss, load() once (however many callers miss) and cache it."""
    # TODO: stampede protection, and no stale sets after an invalidation
    raise NotImplementedError("TODO: read")


def invalidate(r: Any, key: str) -> None:
    """Called after the database changed."""
    # TODO
    raise NotImplementedError("TODO: invalidate")


def early_get(r: Any, key: str, now: float, u: float, beta: float) -> tuple[str | None, bool]:
    """(value or None, whether this caller should recompute now): XFetch, one recompute at a time."""
    # TODO
    raise NotImplementedError("TODO: early_get")


def early_set(r: Any, key: str, value: str, delta_s: float, ttl_s: float, now: float) -> None:
    """Store a recomputed value (it took delta_s seconds), valid for ttl_s seconds from now."""
    # TODO
    raise NotImplementedError("TODO: early_set")
