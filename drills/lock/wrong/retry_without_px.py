# pitfall: a lock taken by a waiting acquire (wait_ms > 0): lock without expiry
# check: lock.no_overlap
"""acquire's first try is SET NX PX, but its retries while waiting use SETNX: a lock won on a retry
never expires."""

import random
import secrets
import time

from redisprep.drills.lock.reference import acquire_fenced, fenced_write, release  # noqa: F401


def acquire(r, lock, ttl_ms, wait_ms=0):
    token = secrets.token_hex(16)
    if r.set(lock, token, nx=True, px=ttl_ms):
        return token
    deadline = time.monotonic() + wait_ms / 1000
    while time.monotonic() < deadline:
        time.sleep(random.uniform(0, 0.004))
        if r.setnx(lock, token):
            return token
    return None
