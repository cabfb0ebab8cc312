# pitfall: scores compared as text
# check: leaderboard.page_ties
"""page's script compares the cursor's score with each row's as Lua strings, so '100.5' < '90.75'."""

from redisprep.drills.leaderboard.reference import add_points, around, rank, shared_rank, top  # noqa: F401

_AFTER = """
local rows = redis.call('ZRANGE', KEYS[1], ARGV[1], '-inf', 'BYSCORE', 'REV', 'WITHSCORES')
local out, n = {}, tonumber(ARGV[3])
for i = 1, #rows, 2 do
  local after = rows[i + 1] < ARGV[1] or (rows[i + 1] == ARGV[1] and rows[i] < ARGV[2])
  if after and #out < 2 * n then
    table.insert(out, rows[i])
    table.insert(out, rows[i + 1])
  end
end
return out
"""


def page(r, board, cursor, n):
    if cursor is None:
        entries = top(r, board, n)
    else:
        flat = iter(r.eval(_AFTER, 1, board, repr(cursor[0]), cursor[1], n))
        entries = [(member, float(score)) for member, score in zip(flat, flat)]
    last = entries[-1] if len(entries) == n else None
    return entries, None if last is None else (last[1], last[0])
