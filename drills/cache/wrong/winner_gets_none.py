# pitfall: the caller told to recompute must still get the value
# check: cache.early_refresh
"""The caller that wins the refresh flag is handed None instead of the still-valid value."""

import math

from redisprep.drills.cache.reference import early_set, invalidate, read  # noqa: F401


def early_get(r, key, now, u, beta):
    value, delta, expiry = r.hmget(key, "value", "delta", "expiry")
    if value is None or now >= float(expiry):
        return None, bool(r.set(key + ":refresh", "1", nx=True, px=10_000))
    if now - float(delta) * beta * math.log(u) < float(expiry):
        return value, False
    if r.set(key + ":refresh", "1", nx=True, px=10_000):
        return None, True
    return value, False
