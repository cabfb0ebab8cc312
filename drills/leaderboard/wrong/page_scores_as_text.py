# pitfall: scores compared as text
# check: leaderboard.page_ties
"""page's script compares the cursor's score with each row's as Lua strings, so '100.5' < '90.75'."""

from redisprep.drills.leaderboard.reference import add_points, around, rank, shared_rank, top  # noqa: F401

_AFTER = """
local rows = redis.call('ZRANGE', KEYS[1], ARGV[1], '-inf', 'BYSCORE', 'REV', 'WITHSCORES')
local picked = {}
local i = 1
while i < #rows and #picked < 2 * tonumber(ARGV[3]) do
  local member, score = rows[i], rows[i + 1]
  if score < ARGV[1] or (score == ARGV[1] and member < ARGV[2]) then
    picked[#picked + 1] = member
    picked[#picked + 1] = score
  end
  i = i + 2
end
return picked
"""


def page(r, board, cursor, n):
    if cursor is None:
        entries = top(r, board, n)
    else:
        flat = iter(r.eval(_AFTER, 1, board, repr(cursor[0]), cursor[1], n))
        entries = [(member, float(score)) for member, score in zip(flat, flat, strict=False)]
    last = entries[-1] if len(entries) == n else None
    return entries, None if last is None else (last[1], last[0])
