# pitfall: the lease has no expiry (SET NX without PX)
# check: cache.loader_fails
"""The lease is SET NX without PX: a loader killed while holding it blocks the key for ever."""

import secrets
import time

from redisprep.drills.cache.reference import _ABANDON, early_get, early_set, fill, invalidate  # noqa: F401

LOOKUP = """
local value = redis.call('GET', KEYS[1])
if value then return {'hit', value} end
if redis.call('SET', KEYS[2], ARGV[1], 'NX') then return {'lease'} end
return {'wait'}
"""


def read(r, key, load, ttl_s):
    token = secrets.token_hex(16)
    while True:
        reply = r.eval(LOOKUP, 2, key, key + ":lease", token)
        if reply[0] == "hit":
            return reply[1]
        if reply[0] == "lease":
            try:
                value = load()
            except BaseException:
                r.eval(_ABANDON, 1, key + ":lease", token)
                raise
            fill(r, key, token, value, ttl_s)
            return value
        time.sleep(0.005)
