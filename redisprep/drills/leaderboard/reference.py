"""Leaderboard on a sorted set: the reference implementation, plus the naive variants drills contrast.

Interface (what a practice solution implements; ``r`` is a ``redis.Redis`` client):

- ``add_points(r, board, player, points) -> float``: add to a player's score, return the new score.
- ``top(r, board, k) -> list[tuple[str, float]]``: the k best, best first.
- ``rank(r, board, player) -> int | None``: 1-based position in ``top`` order; None if absent.
- ``shared_rank(r, board, player) -> int | None``: competition rank (ties share a rank: 1, 2, 2, 4).
- ``around(r, board, player, k) -> list[tuple[str, float]]``: up to k above and k below, in one view.
- ``page(r, board, cursor, n) -> tuple[list[tuple[str, float]], Cursor | None]``: the next n after
  ``cursor`` (None for the first page); pages never repeat or skip a player when scores change.

Every function costs one round trip.
"""

from __future__ import annotations

from typing import Any

Entry = tuple[str, float]
Cursor = tuple[float, str]

# ZREVRANK then a REV range around it, in one script so the window is taken from one state.
_AROUND = """
local r = redis.call('ZREVRANK', KEYS[1], ARGV[1])
if not r then return {} end
local first = r - tonumber(ARGV[2])
if first < 0 then first = 0 end
return redis.call('ZRANGE', KEYS[1], first, r + tonumber(ARGV[2]), 'REV', 'WITHSCORES')
"""

# Competition rank: 1 + members with a strictly higher score.
_SHARED_RANK = """
local s = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not s then return false end
return redis.call('ZCOUNT', KEYS[1], '(' .. s, '+inf') + 1
"""

# Keyset paging in REV order (score desc, then member desc): everything strictly after the cursor.
# Scans from the cursor's score downwards and skips the members it already returned at that score.
# Lua compares strings with strcoll; Redis runs with the C collation unless its locale says otherwise,
# which matches the byte order Redis uses for ties.
_PAGE_AFTER = """
local want = tonumber(ARGV[3])
local out = {}
local offset = 0
while #out < want * 2 do
  local batch = redis.call('ZRANGE', KEYS[1], ARGV[1], '-inf', 'BYSCORE', 'REV',
                           'LIMIT', offset, want, 'WITHSCORES')
  if #batch == 0 then break end
  for i = 1, #batch, 2 do
    local member, score = batch[i], tonumber(batch[i + 1])
    if score < tonumber(ARGV[1]) or member < ARGV[2] then
      if #out < want * 2 then
        out[#out + 1] = member
        out[#out + 1] = batch[i + 1]
      end
    end
  end
  offset = offset + want
end
return out
"""


def _pairs(reply: list[Any]) -> list[Entry]:
    """(member, score) pairs from a WITHSCORES reply, flat (Lua, RESP2) or already paired (redis-py)."""
    if reply and isinstance(reply[0], list | tuple):
        return [(str(m), float(s)) for m, s in reply]
    return [(str(reply[i]), float(reply[i + 1])) for i in range(0, len(reply), 2)]


def add_points(r: Any, board: str, player: str, points: float) -> float:
    """ZINCRBY: one atomic read-modify-write inside the server, O(log(N))."""
    return float(r.zincrby(board, points, player))


def top(r: Any, board: str, k: int) -> list[Entry]:
    """ZRANGE 0 k-1 REV WITHSCORES: O(log(N)+M).

    Sent as written: redis-py's ``zrange(desc=True)`` would send the deprecated ZREVRANGE.
    """
    return _pairs(r.execute_command("ZRANGE", board, 0, k - 1, "REV", "WITHSCORES"))


def rank(r: Any, board: str, player: str) -> int | None:
    """ZREVRANK + 1: O(log(N))."""
    position = r.zrevrank(board, player)
    return None if position is None else int(position) + 1


def shared_rank(r: Any, board: str, player: str) -> int | None:
    """ZSCORE then ZCOUNT (score, +inf] in one script: O(log(N))."""
    result = r.eval(_SHARED_RANK, 1, board, player)
    return None if result is None else int(result)


def around(r: Any, board: str, player: str, k: int) -> list[Entry]:
    """ZREVRANK and a REV range of 2k+1 around it, read from one state (one script)."""
    return _pairs(r.eval(_AROUND, 1, board, player, k))


def page(r: Any, board: str, cursor: Cursor | None, n: int) -> tuple[list[Entry], Cursor | None]:
    """Keyset pagination: the n entries after ``cursor`` in leaderboard order."""
    if cursor is None:
        entries = top(r, board, n)
    else:
        score, member = cursor
        entries = _pairs(r.eval(_PAGE_AFTER, 1, board, repr(score), member, n))
    next_cursor = (entries[-1][1], entries[-1][0]) if len(entries) == n else None
    return entries, next_cursor


# --- naive variants, kept to show how they fail -------------------------------------------------


def naive_add_points(r: Any, board: str, player: str, points: float) -> float:
    """ZSCORE, add in the application, ZADD: two round trips, and concurrent writers lose updates."""
    current = r.zscore(board, player) or 0.0
    new = float(current) + points
    r.zadd(board, {player: new})
    return new


def naive_page(r: Any, board: str, cursor: Cursor | None, n: int) -> tuple[list[Entry], Any]:
    """Offset pagination (the cursor is a rank offset): players move between pages as scores change."""
    offset = 0 if cursor is None else int(cursor[0])
    flat = r.execute_command("ZRANGE", board, offset, offset + n - 1, "REV", "WITHSCORES")
    return _pairs(flat), (float(offset + n), "")


# --- composite scores for "first to reach it wins" ---------------------------------------------

TIME_BITS = 32
EXACT_LIMIT = 2**53  # integers above this are not all representable in a double (ZSET scores)


def encode_score(points: int, reached_at: int) -> float:
    """Points in the high bits, (2^32 - 1 - time) in the low bits: earlier wins among equal points."""
    return float(points * 2**TIME_BITS + (2**TIME_BITS - 1 - reached_at))


def decode_score(score: float) -> tuple[int, int]:
    """Inverse of :func:`encode_score` (exact only while the encoded value is below 2^53)."""
    value = int(score)
    points, low = divmod(value, 2**TIME_BITS)
    return points, 2**TIME_BITS - 1 - low
