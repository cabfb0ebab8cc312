# pitfall: XFetch uses the natural log
# check: cache.early_refresh
"""XFetch with log10(u) for ln(u): the gap is 2.3 times too small, so refreshes come late."""

import math

from redisprep.drills.cache.reference import early_set, invalidate, read  # noqa: F401


def early_get(r, key, now, u, beta):
    value, delta, expiry = r.hmget(key, "value", "delta", "expiry")
    if value is None or now >= float(expiry):
        return None, bool(r.set(key + ":refresh", "1", nx=True, px=10_000))
    due = now - float(delta) * beta * math.log10(u) >= float(expiry)
    return value, due and bool(r.set(key + ":refresh", "1", nx=True, px=10_000))
