# pitfall: acquire_fenced: lock without expiry
# check: lock.expires
"""acquire is right, but acquire_fenced's script takes the lock with SET NX and no PX."""

from redisprep.drills.lock.reference import acquire, fenced_write, new_token, release  # noqa: F401

_ACQUIRE = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX') then
  return redis.call('INCR', KEYS[2])
end
return false
"""


def acquire_fenced(r, lock, ttl_ms):
    token = new_token()
    fence = r.eval(_ACQUIRE, 2, lock, lock + ":fence", token, ttl_ms)
    return None if fence is None else (token, int(fence))
