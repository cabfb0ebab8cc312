# pitfall: early_set stored the expiry as ttl_s instead of now + ttl_s
# check: cache.early_refresh
"""early_set stores the expiry as ttl_s (relative), while early_get compares it with an absolute clock."""

from redisprep.drills.cache.reference import _EARLY_SET, early_get, invalidate, read, refresh_key  # noqa: F401


def early_set(r, key, value, delta_s, ttl_s, now):
    r.eval(_EARLY_SET, 2, key, refresh_key(key), value, repr(delta_s), repr(ttl_s), int(ttl_s * 1000))
