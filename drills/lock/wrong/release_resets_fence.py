# pitfall: fences restart at 1 after a release
# check: lock.fence_numbers
"""release tidies up too much: it deletes the fencing counter with the lock, so fences start over."""

from redisprep.drills.lock.reference import acquire, acquire_fenced, fenced_write  # noqa: F401

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[2])
  return redis.call('DEL', KEYS[1])
end
return 0
"""


def release(r, lock, token):
    return r.eval(_RELEASE, 2, lock, lock + ":fence", token) == 1
