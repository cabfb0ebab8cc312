# pitfall: a window's counter is read as the previous window during the next one
# check: rate-limit.keys
"""sliding_counter expires each window's counter one window after its first request: by the middle of
the next window the "previous" count is gone and the client gets a fresh allowance."""

from redisprep.drills.rate_limit.reference import fixed_window, gcra, sliding_log, token_bucket  # noqa: F401

COUNTER = """
local limit, window, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local previous = tonumber(redis.call('GET', KEYS[2]) or '0')
if previous * (window - now % window) / window + current + 1 > limit then return 0 end
if redis.call('INCR', KEYS[1]) == 1 then redis.call('PEXPIRE', KEYS[1], window) end
return 1
"""


def sliding_counter(r, key, limit, window_ms, now_ms):
    window = now_ms // window_ms
    return bool(r.eval(COUNTER, 2, f"{key}:{window}", f"{key}:{window - 1}", limit, window_ms, now_ms))
