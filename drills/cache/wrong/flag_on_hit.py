# pitfall: early_get took the refresh flag on a hit that needed no recompute
# check: cache.early_refresh
"""early_get takes the refresh flag on every call, hits included: when a refresh is due, nobody gets it."""

import math

from redisprep.drills.cache.reference import early_set, invalidate, read  # noqa: F401


def early_get(r, key, now, u, beta):
    pipe = r.pipeline(transaction=False)
    pipe.hmget(key, "value", "delta", "expiry")
    pipe.set(key + ":refresh", "1", nx=True, px=10_000)
    (value, delta, expiry), got = pipe.execute()
    if value is None or now >= float(expiry):
        return None, bool(got)
    due = now - float(delta) * beta * math.log(u) >= float(expiry)
    return value, due and bool(got)
