# pitfall: early_get served the value after its expiry
# check: cache.early_refresh
"""early_get never compares now with the stored expiry: an expired value is still served."""

import math

from redisprep.drills.cache.reference import early_set, invalidate, read  # noqa: F401


def early_get(r, key, now, u, beta):
    value, delta, expiry = r.hmget(key, "value", "delta", "expiry")
    if value is None:
        return None, bool(r.set(key + ":refresh", "1", nx=True, px=10_000))
    due = now - float(delta) * beta * math.log(u) >= float(expiry)
    return value, due and bool(r.set(key + ":refresh", "1", nx=True, px=10_000))
