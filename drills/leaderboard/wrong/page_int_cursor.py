# pitfall: the cursor's score truncated to an integer
# check: leaderboard.page_ties
"""page sends the cursor's score through int(): fractional scores between it and the cursor vanish."""

from redisprep.drills.leaderboard.reference import add_points, around, rank, shared_rank, top  # noqa: F401

_AFTER = """
local out = {}
local rows = redis.call('ZRANGE', KEYS[1], ARGV[1], '-inf', 'BYSCORE', 'REV', 'WITHSCORES')
for i = 1, #rows, 2 do
  if #out >= 2 * tonumber(ARGV[3]) then break end
  local s = tonumber(rows[i + 1])
  if s < tonumber(ARGV[1]) or rows[i] < ARGV[2] then
    out[#out + 1] = rows[i]
    out[#out + 1] = rows[i + 1]
  end
end
return out
"""


def page(r, board, cursor, n):
    if cursor is None:
        entries = top(r, board, n)
    else:
        flat = r.eval(_AFTER, 1, board, int(cursor[0]), cursor[1], n)
        entries = [(flat[i], float(flat[i + 1])) for i in range(0, len(flat), 2)]
    return entries, ((entries[-1][1], entries[-1][0]) if len(entries) == n else None)
