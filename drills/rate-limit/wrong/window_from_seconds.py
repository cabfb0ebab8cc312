# pitfall: window named from seconds
# check: rate-limit.within_limit
"""fixed_window turns now_ms into seconds before dividing by window_ms (also in ms): every window's
key lasts 1000 windows, so a client that used its allowance is locked out for 16 hours."""

from redisprep.drills.rate_limit.reference import gcra, sliding_counter, sliding_log, token_bucket  # noqa: F401

FIXED = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return count
"""


def fixed_window(r, key, limit, window_ms, now_ms):
    return int(r.eval(FIXED, 1, f"{key}:{now_ms // 1000 // window_ms}", window_ms)) <= limit
