# pitfall: release returned True though it freed nothing
# check: lock.wrong_owner
"""release runs the compare-and-delete script but ignores its reply and reports success."""

from redisprep.drills.lock.reference import acquire, acquire_fenced, fenced_write  # noqa: F401

_RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"


def release(r, lock, token):
    r.eval(_RELEASE, 1, lock, token)
    return True
