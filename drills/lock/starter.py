"""Lock exercise: implement each function. `redisprep practice check lock` grades it.

`r` is a redis-py client created with decode_responses=True; times are in milliseconds. The fencing
counter lives at lock + ":fence" (the lock's name carries a hash tag, so both share a slot).
"""

from __future__ import annotations

from typing import Any


def acquire(r: Any, lock: str, ttl_ms: int, wait_ms: int = 0) -> str | None:
    """Take the lock for ttl_ms; return a fresh random token, or None if it is held (after wait_ms)."""
    # TODO
    raise NotImplementedError("TODO: acquire")


def release(r: Any, lock: str, token: str) -> bool:
    """Free the lock only if `token` still holds it; True when it did."""
    # TODO
    raise NotImplementedError("TODO: release")


def acquire_fenced(r: Any, lock: str, ttl_ms: int) -> tuple[str, int] | None:
    """Like acquire (no waiting), plus a fencing number that grows with every grant."""
    # TODO
    raise NotImplementedError("TODO: acquire_fenced")


def fenced_write(r: Any, resource: str, fence: int, value: str) -> bool:
    """Store `value` only if `fence` is above every fence this resource accepted before."""
    # TODO
    raise NotImplementedError("TODO: fenced_write")
