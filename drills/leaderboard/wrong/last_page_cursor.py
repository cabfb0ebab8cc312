# pitfall: a cursor returned with a short last page
# check: leaderboard.page_ties
"""page returns a cursor whenever it returned anything, so the caller needs one empty extra call."""

from redisprep.drills.leaderboard.reference import add_points, around, rank, shared_rank, top  # noqa: F401
from redisprep.drills.leaderboard.reference import page as _page


def page(r, board, cursor, n):
    entries, _ = _page(r, board, cursor, n)
    return entries, ((entries[-1][1], entries[-1][0]) if entries else None)
