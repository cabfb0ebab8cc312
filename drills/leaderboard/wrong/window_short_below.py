# pitfall: the window is one player off below
# check: leaderboard.around
"""around stops at rank + k - 1: one neighbour below is missing."""

from redisprep.drills.leaderboard.reference import add_points, page, rank, shared_rank, top  # noqa: F401

_AROUND = """
local rank = redis.call('ZREVRANK', KEYS[1], ARGV[1])
if not rank then return {} end
local k = tonumber(ARGV[2])
return redis.call('ZRANGE', KEYS[1], math.max(0, rank - k), rank + k - 1, 'REV', 'WITHSCORES')
"""


def around(r, board, player, k):
    flat = r.eval(_AROUND, 1, board, player, k)
    return [(flat[i], float(flat[i + 1])) for i in range(0, len(flat), 2)]
