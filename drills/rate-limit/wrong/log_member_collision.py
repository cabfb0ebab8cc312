# pitfall: sorted-set members collide
# check: rate-limit.concurrent
"""sliding_log decides in one script, but uses the timestamp itself as the member: requests in the same
millisecond overwrite one entry, and the log never counts them."""

from redisprep.drills.rate_limit.reference import fixed_window, gcra, sliding_counter, token_bucket  # noqa: F401

LOG = """
local limit, window, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= limit then return 0 end
redis.call('ZADD', KEYS[1], now, now)
redis.call('PEXPIRE', KEYS[1], window)
return 1
"""


def sliding_log(r, key, limit, window_ms, now_ms):
    return bool(r.eval(LOG, 1, key + ":log", limit, window_ms, now_ms))
