# pitfall: fence returned as text
# check: lock.fencing
"""acquire_fenced INCRs in a transaction, then hands back the counter as GET returns it: a string."""

from redisprep.drills.lock.reference import acquire, fenced_write, new_token, release  # noqa: F401

_ACQUIRE = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  redis.call('INCR', KEYS[2])
  return redis.call('GET', KEYS[2])
end
return false
"""


def acquire_fenced(r, lock, ttl_ms):
    token = new_token()
    fence = r.eval(_ACQUIRE, 2, lock, lock + ":fence", token, ttl_ms)
    return None if fence is None else (token, fence)
