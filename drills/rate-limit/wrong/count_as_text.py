# pitfall: count compared with the limit as text
# check: rate-limit.within_limit
"""fixed_window compares INCR's count with ARGV[1] without tonumber(): Lua compares the strings, and
'2' > '10'."""

from redisprep.drills.rate_limit.reference import gcra, sliding_counter, sliding_log, token_bucket  # noqa: F401

FIXED = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if tostring(count) <= ARGV[1] then return 1 end
return 0
"""


def fixed_window(r, key, limit, window_ms, now_ms):
    return bool(r.eval(FIXED, 1, f"{key}:{now_ms // window_ms}", limit, window_ms))
