# pitfall: expiring the bucket before it would be full again resets it to full
# check: rate-limit.keys
"""token_bucket expires its hash after one token's refill time (window / limit): a client that waits
that long finds a full bucket, however many tokens it had spent."""

from redisprep.drills.rate_limit.reference import fixed_window, gcra, sliding_counter, sliding_log  # noqa: F401

BUCKET = """
local limit, window, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens, ts = tonumber(state[1]), tonumber(state[2])
if tokens == nil then tokens, ts = limit, now end
tokens = math.min(limit, tokens + (now - ts) * limit / window)
local ok = 0
if tokens >= 1 then tokens = tokens - 1; ok = 1 end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', now)
redis.call('PEXPIRE', KEYS[1], math.floor(window / limit))
return ok
"""


def token_bucket(r, key, limit, window_ms, now_ms):
    return bool(r.eval(BUCKET, 1, key + ":bucket", limit, window_ms, now_ms))
