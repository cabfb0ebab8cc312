# pitfall: GCRA that stores the new TAT on a denial too
# check: rate-limit.steady
"""gcra SETs the new TAT before deciding, so every denied retry pushes it further ahead."""

from redisprep.drills.rate_limit.reference import fixed_window, sliding_counter, sliding_log, token_bucket  # noqa: F401

GCRA = """
local limit, window, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local tat = math.max(tonumber(redis.call('GET', KEYS[1]) or '0'), now)
local new_tat = tat + window / limit
redis.call('SET', KEYS[1], new_tat, 'PX', math.ceil(new_tat - now))
if new_tat - window > now then return 0 end
return 1
"""


def gcra(r, key, limit, window_ms, now_ms):
    return bool(r.eval(GCRA, 1, key + ":tat", limit, window_ms, now_ms))
