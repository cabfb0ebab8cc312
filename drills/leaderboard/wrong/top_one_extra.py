# pitfall: top returns one entry too many or too few
# check: leaderboard.top_k
"""top asks ZRANGE for 0 .. k, forgetting that the stop index is inclusive: k + 1 players."""

from redisprep.drills.leaderboard.reference import add_points, around, page, rank, shared_rank  # noqa: F401


def top(r, board, k):
    return [(m, float(s)) for m, s in r.zrange(board, 0, k, desc=True, withscores=True)]
