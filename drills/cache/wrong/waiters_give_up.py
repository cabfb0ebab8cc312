# pitfall: waiters gave up while the first load was still running
# check: cache.stampede
"""Waiters poll the lease 5 times (about 30 ms), then load and SET the value themselves."""

import secrets
import time

from redisprep.drills.cache.reference import early_get, early_set, fill, invalidate, lookup  # noqa: F401


def read(r, key, load, ttl_s):
    token = secrets.token_hex(16)
    for attempt in range(5):
        status, value = lookup(r, key, token)
        if status != "wait":
            break
        time.sleep(0.001 * 2**attempt)
    else:  # the first load is taking too long: load it ourselves
        value = load()
        r.set(key, value, ex=ttl_s)
        return value
    if status == "hit":
        return value
    value = load()
    fill(r, key, token, value, ttl_s)
    return value
