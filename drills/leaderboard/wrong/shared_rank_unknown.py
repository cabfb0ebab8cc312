# pitfall: an unknown player must get None
# check: leaderboard.shared_rank
"""shared_rank treats a missing score as 0, so an unknown player ranks below everyone instead of None."""

from redisprep.drills.leaderboard.reference import add_points, around, page, rank, top  # noqa: F401

_SHARED = """
local s = redis.call('ZSCORE', KEYS[1], ARGV[1]) or '0'
return redis.call('ZCOUNT', KEYS[1], '(' .. s, '+inf') + 1
"""


def shared_rank(r, board, player):
    return int(r.eval(_SHARED, 1, board, player))
