# pitfall: XFetch refreshes far too early
# check: cache.early_refresh
"""early_set stores delta in milliseconds: the XFetch gap is 1000 times too big, most reads recompute."""

from redisprep.drills.cache.reference import _EARLY_SET, early_get, invalidate, read, refresh_key  # noqa: F401


def early_set(r, key, value, delta_s, ttl_s, now):
    r.eval(
        _EARLY_SET,
        2,
        key,
        refresh_key(key),
        value,
        repr(delta_s * 1000),
        repr(now + ttl_s),
        int(ttl_s * 1000),
    )
