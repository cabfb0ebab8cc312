# pitfall: wait_ms taken as seconds
# check: lock.gives_up
"""acquire adds wait_ms to time.monotonic() as it is: a 1 ms wait lasts a second."""

import random
import secrets
import time

from redisprep.drills.lock.reference import acquire_fenced, fenced_write, release  # noqa: F401


def acquire(r, lock, ttl_ms, wait_ms=0):
    token = secrets.token_hex(16)
    deadline = time.monotonic() + wait_ms
    while True:
        if r.set(lock, token, nx=True, px=ttl_ms):
            return token
        if time.monotonic() >= deadline:
            return None
        time.sleep(random.uniform(0.0005, 0.004))
