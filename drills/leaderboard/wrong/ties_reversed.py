# pitfall: tied players at a page edge taken the wrong way
# check: leaderboard.page_ties
"""page keeps the tied players whose names sort above the cursor's: those were on the page before."""

from redisprep.drills.leaderboard.reference import add_points, around, rank, shared_rank, top  # noqa: F401


def page(r, board, cursor, n):
    if cursor is None:
        return _with_cursor(top(r, board, n), n)
    score, member = cursor
    rows = r.zrange(board, repr(score), "-inf", desc=True, byscore=True, withscores=True)
    after = [(m, float(s)) for m, s in rows if float(s) < score or m > member]
    return _with_cursor(after[:n], n)


def _with_cursor(entries, n):
    return entries, ((entries[-1][1], entries[-1][0]) if len(entries) == n else None)
