# pitfall: acquire_fenced: ttl_ms passed to EX
# check: lock.expires
"""acquire_fenced's script passes the milliseconds to EX: the fenced lock lives 1000 times too long."""

from redisprep.drills.lock.reference import acquire, fenced_write, new_token, release  # noqa: F401

_ACQUIRE = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then
  return redis.call('INCR', KEYS[2])
end
return false
"""


def acquire_fenced(r, lock, ttl_ms):
    token = new_token()
    fence = r.eval(_ACQUIRE, 2, lock, lock + ":fence", token, ttl_ms)
    return None if fence is None else (token, int(fence))
