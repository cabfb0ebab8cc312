# pitfall: sliding counter reading the window of now - 1 ms as the previous one
# check: rate-limit.within_limit
"""sliding_counter names the previous window from now_ms - 1 instead of one window back: inside a
window that is the current window, counted twice."""

from redisprep.drills.rate_limit.reference import fixed_window, gcra, sliding_log, token_bucket  # noqa: F401

COUNTER = """
local limit, window, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local previous = tonumber(redis.call('GET', KEYS[2]) or '0')
if previous * (window - now % window) / window + current + 1 > limit then return 0 end
redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], 2 * window)
return 1
"""


def sliding_counter(r, key, limit, window_ms, now_ms):
    current, previous = f"{key}:{now_ms // window_ms}", f"{key}:{(now_ms - 1) // window_ms}"
    return bool(r.eval(COUNTER, 2, current, previous, limit, window_ms, now_ms))
