# pitfall: a waiting acquire sleeps the whole wait_ms
# check: lock.waits
"""acquire waits by sleeping wait_ms in one go and trying once more: late, and only one retry."""

import secrets
import time

from redisprep.drills.lock.reference import acquire_fenced, fenced_write, release  # noqa: F401


def acquire(r, lock, ttl_ms, wait_ms=0):
    token = secrets.token_hex(16)
    if r.set(lock, token, nx=True, px=ttl_ms):
        return token
    if wait_ms <= 0:
        return None
    time.sleep(wait_ms / 1000)
    return token if r.set(lock, token, nx=True, px=ttl_ms) else None
