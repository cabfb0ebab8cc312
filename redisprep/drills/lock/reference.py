"""Distributed lock on one Redis node: the reference implementation, naive variants, and redis-py's Lock.

Interface (what a practice solution implements; ``r`` is a ``redis.Redis`` client, times in ms):

- ``acquire(r, lock, ttl_ms, wait_ms=0) -> str | None``: take the lock for ``ttl_ms`` and return a
  fresh random token, or None if it is held; with ``wait_ms`` > 0, retry until then.
- ``release(r, lock, token) -> bool``: free the lock only if ``token`` still holds it.
- ``acquire_fenced(r, lock, ttl_ms) -> tuple[str, int] | None``: like ``acquire`` (no waiting), and
  also return a fencing number that grows with every grant. The counter lives at ``lock + ":fence"``;
  put a hash tag in ``lock`` so both keys share a cluster slot.
- ``fenced_write(r, resource, fence, value) -> bool``: the protected storage's side: store
  ``value`` only if ``fence`` is higher than any fence it accepted before.

``acquire`` without waiting, ``release``, ``acquire_fenced`` and ``fenced_write`` each cost one round trip.
"""

from __future__ import annotations

import random
import secrets
import time
from typing import Any

#: First and largest pause between two tries of a waiting ``acquire`` (seconds).
FIRST_BACKOFF_S = 0.0005
MAX_BACKOFF_S = 0.008

# Compare-and-delete: only the holder of the token may free the lock.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""

# SET NX PX, and on success the next fencing number, in one atomic step.
_ACQUIRE_FENCED = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return redis.call('INCR', KEYS[2])
end
return false
"""

# The storage keeps the highest fence it has accepted and refuses anything not above it.
_FENCED_WRITE = """
local last = tonumber(redis.call('HGET', KEYS[1], 'fence') or '0')
if tonumber(ARGV[1]) > last then
  redis.call('HSET', KEYS[1], 'fence', ARGV[1], 'value', ARGV[2])
  return 1
end
return 0
"""


def new_token() -> str:
    """128 random bits as hex: nobody else can guess or reuse it."""
    return secrets.token_hex(16)


def fence_key(lock: str) -> str:
    """Where the fencing counter of ``lock`` lives (same hash tag as the lock)."""
    return f"{lock}:fence"


def acquire(r: Any, lock: str, ttl_ms: int, wait_ms: int = 0) -> str | None:
    """SET lock token NX PX ttl: create-if-absent and expiry in one command, O(1).

    A waiting caller retries with exponential backoff and full jitter: waiters sleep instead of
    hammering the server, and their retries spread out instead of arriving together.
    """
    token = new_token()
    if r.set(lock, token, nx=True, px=ttl_ms):
        return token
    if wait_ms <= 0:
        return None
    deadline = time.monotonic() + wait_ms / 1000
    backoff = FIRST_BACKOFF_S
    while time.monotonic() < deadline:
        time.sleep(random.uniform(0, backoff))  # jitter, not a secret
        backoff = min(backoff * 2, MAX_BACKOFF_S)
        if r.set(lock, token, nx=True, px=ttl_ms):
            return token
    return None


def release(r: Any, lock: str, token: str) -> bool:
    """Lua compare-and-delete: DEL only while the key still holds our token, O(1)."""
    return int(r.eval(_RELEASE, 1, lock, token)) == 1


def acquire_fenced(r: Any, lock: str, ttl_ms: int) -> tuple[str, int] | None:
    """SET NX PX plus INCR of the fencing counter, in one script: (token, fence) or None."""
    token = new_token()
    fence = r.eval(_ACQUIRE_FENCED, 2, lock, fence_key(lock), token, ttl_ms)
    return None if fence is None else (token, int(fence))


def fenced_write(r: Any, resource: str, fence: int, value: str) -> bool:
    """Accept the write only with a fence above every fence accepted before (one script)."""
    return int(r.eval(_FENCED_WRITE, 1, resource, fence, value)) == 1


# --- naive variants, kept to show how they fail -------------------------------------------------


def naive_acquire(r: Any, lock: str, ttl_ms: int, wait_ms: int = 0) -> str | None:
    """Check-then-act: GET, and SET if it looked free. Every worker that read "free" gets in."""
    token = new_token()
    deadline = time.monotonic() + wait_ms / 1000
    while True:
        if r.get(lock) is None:
            r.set(lock, token, px=ttl_ms)
            return token
        if time.monotonic() >= deadline:
            return None
        time.sleep(FIRST_BACKOFF_S)


def naive_release(r: Any, lock: str, token: str) -> bool:
    """Plain DEL: frees the lock whoever holds it, including the next holder after our TTL ran out."""
    return int(r.delete(lock)) == 1


def setnx_acquire(r: Any, lock: str, ttl_ms: int, wait_ms: int = 0) -> str | None:
    """SETNX with no expiry: if the holder crashes, nobody ever gets the lock again."""
    token = new_token()
    return token if r.setnx(lock, token) else None


def unfenced_write(r: Any, resource: str, fence: int, value: str) -> bool:
    """Storage that ignores the fence: a paused holder's late write overwrites newer data."""
    r.hset(resource, mapping={"fence": fence, "value": value})
    return True


# --- redis-py's own Lock behind the same interface ---------------------------------------------


def redispy_acquire(r: Any, lock: str, ttl_ms: int, wait_ms: int = 0) -> str | None:
    """``redis.lock.Lock.acquire`` with our token: SET NX PX, retried every ``sleep`` seconds."""
    token = new_token()
    handle = r.lock(
        lock,
        timeout=ttl_ms / 1000,
        sleep=0.001,
        blocking=wait_ms > 0,
        blocking_timeout=wait_ms / 1000 if wait_ms > 0 else None,
        thread_local=False,
    )
    return token if handle.acquire(token=token) else None


def redispy_release(r: Any, lock: str, token: str) -> bool:
    """``redis.lock.Lock.do_release``: its Lua compare-and-delete, sent with EVALSHA."""
    from redis.exceptions import LockNotOwnedError

    try:
        r.lock(lock, thread_local=False).do_release(token)
    except LockNotOwnedError:
        return False
    return True
