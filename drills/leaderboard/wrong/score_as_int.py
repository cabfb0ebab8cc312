# pitfall: add_points truncates the new score to an int
# check: leaderboard.returns
"""add_points returns int(ZINCRBY's reply): the stored score is right, the returned one loses its fraction."""

from redisprep.drills.leaderboard.reference import around, page, rank, shared_rank, top  # noqa: F401


def add_points(r, board, player, points):
    return int(r.zincrby(board, points, player))
