# pitfall: early_set gave PEXPIRE ttl_s (seconds)
# check: cache.early_refresh
"""early_set gives PEXPIRE ttl_s in seconds: the entry is gone after ttl_s milliseconds."""

from redisprep.drills.cache.reference import _EARLY_SET, early_get, invalidate, read, refresh_key  # noqa: F401


def early_set(r, key, value, delta_s, ttl_s, now):
    r.eval(_EARLY_SET, 2, key, refresh_key(key), value, repr(delta_s), repr(now + ttl_s), int(ttl_s))
