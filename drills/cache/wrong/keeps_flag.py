# pitfall: early_set must delete the refresh flag
# check: cache.early_refresh
"""early_set stores the new value but leaves the refresh flag: no one may recompute until its PX runs out."""

from redisprep.drills.cache.reference import early_get, invalidate, read  # noqa: F401


def early_set(r, key, value, delta_s, ttl_s, now):
    pipe = r.pipeline(transaction=True)
    pipe.hset(key, mapping={"value": value, "delta": repr(delta_s), "expiry": repr(now + ttl_s)})
    pipe.pexpire(key, int(ttl_s * 1000))
    pipe.execute()
