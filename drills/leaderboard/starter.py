"""Leaderboard exercise: implement each function. `redisprep practice check leaderboard` grades it.

Every function receives `r`, a redis-py client created with decode_responses=True (replies are
str, not bytes), and `board`, the key of a sorted set. Each function must cost one round trip.
"""

from __future__ import annotations

from typing import Any

Entry = tuple[str, float]
Cursor = tuple[float, str]


def add_points(r: Any, board: str, player: str, points: float) -> float:
    """Add `points` to `player`'s score (creating the player at 0) and return the new score."""
    # TODO: one command, atomic under concurrent writers.
    raise NotImplementedError("TODO: add_points")


def top(r: Any, board: str, k: int) -> list[Entry]:
    """The k best players as (player, score), best first."""
    # TODO
    raise NotImplementedError("TODO: top")


def rank(r: Any, board: str, player: str) -> int | None:
    """`player`'s 1-based position in `top` order, or None when the player is not on the board."""
    # TODO
    raise NotImplementedError("TODO: rank")


def shared_rank(r: Any, board: str, player: str) -> int | None:
    """Competition rank: 1 + the number of players with a strictly higher score; None if absent."""
    # TODO
    raise NotImplementedError("TODO: shared_rank")


def around(r: Any, board: str, player: str, k: int) -> list[Entry]:
    """Up to k players above `player`, the player, and up to k below, in leaderboard order."""
    # TODO: read the rank and the range from one state, in one round trip.
    raise NotImplementedError("TODO: around")


def page(r: Any, board: str, cursor: Cursor | None, n: int) -> tuple[list[Entry], Cursor | None]:
    """The next n entries after `cursor` (None: from the top) and the cursor for the page after."""
    # TODO: keyset pagination; stable while other players' scores change.
    raise NotImplementedError("TODO: page")
