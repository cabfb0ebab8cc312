# pitfall: the storage accepted the same fence twice
# check: lock.fence_numbers
"""The storage compares with >=, so a second writer holding the same fence overwrites the first."""

from redisprep.drills.lock.reference import acquire, acquire_fenced, release  # noqa: F401

_WRITE = """
local last = tonumber(redis.call('HGET', KEYS[1], 'fence') or '0')
if tonumber(ARGV[1]) >= last then
  redis.call('HSET', KEYS[1], 'fence', ARGV[1], 'value', ARGV[2])
  return 1
end
return 0
"""


def fenced_write(r, resource, fence, value):
    return r.eval(_WRITE, 1, resource, fence, value) == 1
