"""Checks of the leaderboard drill; each runs against any implementation of the leaderboard interface."""

from __future__ import annotations

import random
from typing import Any

from redisprep.drills.check_helpers import (
    NO_KNOWN_PITFALL,
    UnusableResultError,
    Verdict,
    check,
    in_lockstep,
    pairs,
    round_trips_of,
    verdict,
)
from redisprep.drills.context import DrillContext
from redisprep.drills.leaderboard.paging import paging_mistake

WORKERS = 8
ROUNDS = 50
BOARD_SIZE = 200
PAGE = 5


def expected_order(scores: dict[str, float]) -> list[tuple[str, float]]:
    """Leaderboard order as Redis keeps it: score descending, equal scores by member descending."""
    return sorted(scores.items(), key=lambda e: (e[1], e[0]), reverse=True)


def seed_board(ctx: DrillContext, board: str, size: int, rng: random.Random) -> dict[str, float]:
    """Fill ``board`` with ``size`` players (some tied) in one pipelined round trip."""
    scores = {f"p{i:04d}": float(rng.randrange(0, 5000, 10)) for i in range(size)}
    with ctx.tracer.paused():
        ctx.r.zadd(board, scores)
    return scores


@check("leaderboard.concurrent_add", "concurrent increments are all kept")
def concurrent_add(ctx: DrillContext, impl: Any) -> Verdict:
    """8 writers add 1 point ROUNDS times each to one player, in lockstep; nothing may be lost."""
    board = ctx.key("lb", "concurrent")
    ctx.r.delete(board)

    def writer(_i: int, client: Any) -> None:
        for _ in range(ROUNDS):
            impl.add_points(client, board, "alice", 1)

    in_lockstep(ctx, WORKERS, writer)
    final = float(ctx.r.zscore(board, "alice") or 0)
    want = WORKERS * ROUNDS
    lost = int(want - final)
    return verdict(
        lost == 0,
        f"{int(final)} of {want} increments kept ({WORKERS} writers x {ROUNDS}); {lost} lost",
        pitfall="read-modify-write: ZSCORE, add in the app, ZADD loses concurrent updates; use ZINCRBY",
        final=final,
        expected=want,
        lost=lost,
    )


@check("leaderboard.top_k", "top-K in leaderboard order")
def top_k(ctx: DrillContext, impl: Any) -> Verdict:
    """``top(k)`` returns the k best in leaderboard order."""
    board = ctx.key("lb", "top")
    scores = seed_board(ctx, board, BOARD_SIZE, ctx.fork_rng("top"))
    leaders = {"p9001": 6000.0, "p9002": 6000.0, "p9003": 6000.0}  # a tie at the very top
    ctx.r.zadd(board, leaders)
    scores.update(leaders)
    got = pairs(impl.top(ctx.r, board, 10), "top")
    want = expected_order(scores)[:10]
    same = got == want
    message = "top 10 of 200 match" if same else f"top 10 differs: {first_difference(got, want)}"
    return verdict(same, message, pitfall=order_pitfall(got, scores, 10), size=BOARD_SIZE)


def first_difference(got: list[Any], want: list[Any]) -> str:
    """Where two lists first differ, and their lengths: what a learner needs to see."""
    at = next(
        (i for i, (g, w) in enumerate(zip(got, want, strict=False)) if g != w), min(len(got), len(want))
    )
    shown = [got[at] if at < len(got) else "nothing", want[at] if at < len(want) else "nothing"]
    return f"{len(got)} entries (want {len(want)}); #{at + 1} is {shown[0]} (want {shown[1]})"


TOP_STOP = "top returns one entry too many or too few: ZRANGE's stop is inclusive; the k best are 0 .. k - 1"
WINDOW_STOP = (
    "the window is one player off below: ZRANGE's stop is inclusive; k above and k below are "
    "rank - k .. rank + k"
)


ASCENDING = "top-K must be ZRANGE ... REV (highest first), not ascending"
TIES_BY_NAME = (
    "ties ordered by name ascending: among equal scores Redis's REV order (ZREVRANK, ZRANGE REV) "
    "puts the higher member first; sort the same way or let Redis order them"
)


def order_pitfall(got: list[tuple[str, float]], scores: dict[str, float], k: int) -> str:
    """Which ordering mistake ``got`` (a top-k) shows: ascending, ties by name, or none known."""
    ascending = sorted(scores.items(), key=lambda e: (e[1], e[0]))
    best = expected_order(scores)
    if got in (best[: k + 1], best[: k - 1]):
        return TOP_STOP
    if got == ascending[:k] or got == ascending[:k][::-1]:
        return ASCENDING
    by_name = sorted(scores.items(), key=lambda e: (-e[1], e[0]))
    if got == by_name[:k]:
        return TIES_BY_NAME
    return NO_KNOWN_PITFALL


@check("leaderboard.rank", "rank of a player (1-based)")
def rank(ctx: DrillContext, impl: Any) -> Verdict:
    """``rank`` is the 1-based position in top order, None for a stranger."""
    board = ctx.key("lb", "rank")
    rng = ctx.fork_rng("rank")
    scores = seed_board(ctx, board, BOARD_SIZE, rng)
    order = [m for m, _ in expected_order(scores)]
    wrong = []
    fits: list[set[str]] = []  # per wrong answer, every mistake that explains it
    for player in rng.sample(order, 20):
        got = impl.rank(ctx.r, board, player)
        want = order.index(player) + 1
        if got != want:
            wrong.append(f"{player}: got {got!r}, want {want}")
            fits.append(_rank_shapes(got, want, len(order)))
    stranger = impl.rank(ctx.r, board, "nobody")
    if stranger is not None:
        wrong.append(f"unknown player: got {stranger!r}, want None")
        fits.append({"stranger"})
    shared = set.intersection(*fits) if fits else set()
    return verdict(
        not wrong,
        "20 sampled ranks and an unknown player are right" if not wrong else "; ".join(wrong[:3]),
        pitfall=RANK_PITFALLS.get(shared.pop(), NO_KNOWN_PITFALL) if len(shared) == 1 else NO_KNOWN_PITFALL,
        wrong=len(wrong),
    )


RANK_PITFALLS = {
    "ascending": "ZRANK counts from the lowest score and from 0; a leaderboard wants ZREVRANK + 1",
    "zero-based": "ranks are 0-based in Redis: ZREVRANK of the leader is 0; add 1 for a 1-based rank",
    "text": "the rank is returned as text: convert the reply to int (compared as strings, 10 < 9)",
    "stranger": "an unknown player must rank None: ZREVRANK answers nil for a missing member",
}


def _rank_shapes(got: object, want: int, size: int) -> set[str]:
    """The mistakes that explain ``got``: the middle rank of an ascending count also looks 0-based."""
    if isinstance(got, str):
        return {"text"}
    shapes = {"ascending"} if got in (size - want + 1, size - want) else set()
    if got == want - 1:
        shapes.add("zero-based")
    return shapes or {"other"}


@check("leaderboard.shared_rank", "tied players share a rank")
def shared_rank(ctx: DrillContext, impl: Any) -> Verdict:
    """Competition ranking: players with equal scores share a rank (1, 1, 1, 4)."""
    board = ctx.key("lb", "ties")
    ctx.r.zadd(board, {"alice": 100, "bob": 100, "dave": 100, "carol": 90, "erin": 120})
    want = {"erin": 1, "alice": 2, "bob": 2, "dave": 2, "carol": 5, "nobody": None}
    got = {p: impl.shared_rank(ctx.r, board, p) for p in want}
    ok = got == want
    dense = {**want, "carol": 3}
    inclusive = {"erin": 1, "alice": 4, "bob": 4, "dave": 4, "carol": 5, "nobody": None}
    if any(isinstance(v, str) for v in got.values()):
        pitfall = TEXT
    elif got["nobody"] is not None and all(got[p] == want[p] for p in want if p != "nobody"):
        pitfall = "an unknown player must get None: ZSCORE answers nil for a missing member; return None then"
    elif got == dense:
        pitfall = "dense ranking (1, 2, 2, 3): competition ranking skips the places the tie took; count "
        pitfall += "the members with a strictly higher score"
    elif got == inclusive:
        pitfall = "ZCOUNT with an inclusive bound counts the tied players themselves; write the lower "
        pitfall += "bound as '(score' (exclusive)"
    elif {got[p] for p in ("alice", "bob", "dave")} == {2, 3, 4}:
        pitfall = "ZREVRANK breaks ties by member name; a shared rank is ZCOUNT (score +inf] + 1"
    else:
        pitfall = NO_KNOWN_PITFALL
    return verdict(
        ok,
        "erin 1; alice, bob and dave 2; carol 5" if ok else f"got {got}; want {want}",
        pitfall=pitfall,
    )


@check("leaderboard.around", "neighbours above and below")
def around(ctx: DrillContext, impl: Any) -> Verdict:
    """``around(player, k)`` returns k above and k below, clipped at the top of the board."""
    board = ctx.key("lb", "around")
    scores = seed_board(ctx, board, BOARD_SIZE, ctx.fork_rng("around"))
    order = expected_order(scores)
    problems = []
    kinds: set[str] = set()
    for position in (0, 1, 57, BOARD_SIZE - 1):
        player = order[position][0]
        got = pairs(impl.around(ctx.r, board, player, 2), "around")
        want = order[max(0, position - 2) : position + 3]
        if got != want:
            problems.append(f"around #{position + 1}: got {[m for m, _ in got]}, want {[m for m, _ in want]}")
            kinds.add(_window_shape(got, want, order, position))
    return verdict(
        not problems,
        "windows at #1, #2, #58 and #200 are right" if not problems else "; ".join(problems[:2]),
        pitfall=next(iter(kinds)) if len(kinds) == 1 else NO_KNOWN_PITFALL,
    )


NOT_CLIPPED = (
    "a window near the top must be clipped at rank 0: a negative start in ZRANGE counts from the end "
    "of the board (and returns nothing or the wrong players)"
)
WINDOW = "the window is ZREVRANK then ZRANGE rank-k rank+k REV, clipped at 0"


def _window_shape(got: list[Any], want: list[Any], order: list[Any], position: int) -> str:
    if got in (order[max(0, position - 2) : position + 2], order[max(0, position - 2) : position + 4]):
        return WINDOW_STOP  # one below too few or too many
    if position < 2 and [m for m, _ in got] != [m for m, _ in want] and len(got) < len(want):
        return NOT_CLIPPED
    if [m for m, _ in got] == [m for m, _ in want][::-1]:
        return ASCENDING
    return WINDOW if got else NO_KNOWN_PITFALL


@check("leaderboard.stable_pages", "pages stay stable while scores change")
def stable_pages(ctx: DrillContext, impl: Any) -> Verdict:
    """A score change between two page reads must not repeat or skip a player."""
    board = ctx.key("lb", "pages")
    ctx.r.zadd(board, {f"u{i:02d}": 100.5 - i for i in range(20)})  # fractions, across 100
    first, cursor = _page(impl, ctx, board, None)
    steady, _ = _page(impl, ctx, board, cursor)  # page 2 before anything changed
    ctx.r.zincrby(board, 50, "u10")  # the 11th jumps to the top between the two reads
    second, _ = _page(impl, ctx, board, cursor)
    first_names = [m for m, _ in first]
    second_names = [m for m, _ in second]
    repeated = sorted(set(first_names) & set(second_names))
    want = [f"u{i:02d}" for i in range(5, 10)]
    ok = not repeated and second_names == want
    message = (
        f"page 2 is {', '.join(second_names)}: no player repeated or skipped"
        if ok
        else f"page 2 is {', '.join(second_names)}; repeated from page 1: {repeated or 'none'}"
    )
    steady_right = [m for m, _ in steady] == want
    shifted = second_names == [f"u{i:02d}" for i in range(4, 9)] and steady_right
    if not steady_right:
        message += f"; before the change page 2 was already {', '.join(m for m, _ in steady)}"
    return verdict(
        ok,
        message + ("" if ok else f"; want {', '.join(want)}"),
        pitfall=OFFSET_PAGING if shifted else NO_KNOWN_PITFALL,
        repeated=len(repeated),
    )


TEXT = "numbers returned as text: convert Redis's replies (a score '12.5', a rank '2') to numbers"
OFFSET_PAGING = (
    "offset paging (ZRANGE offset offset+n) shifts when a player moves; page by score (keyset cursor)"
)


def _page(impl: Any, ctx: DrillContext, board: str, cursor: Any) -> tuple[list[tuple[str, float]], Any]:
    reply = impl.page(ctx.r, board, cursor, PAGE)
    try:
        entries, after = reply
    except (TypeError, ValueError):
        raise UnusableResultError("page", reply, "(entries, cursor)") from None
    return pairs(entries, "page"), after


@check("leaderboard.returns", "add_points returns the new score; ranks are numbers")
def returns(ctx: DrillContext, impl: Any) -> Verdict:
    """What the functions return, not only what they write: scores past one digit, fractions."""
    board = ctx.key("lb", "returns")
    ctx.r.delete(board)
    got = [impl.add_points(ctx.r, board, "zed", p) for p in (7, 5, 0.5)]
    ctx.r.zadd(board, {"amy": 9, "bo": 100})
    ranks = (impl.rank(ctx.r, board, "zed"), impl.shared_rank(ctx.r, board, "amy"))
    problems = []
    if got != [7.0, 12.0, 12.5]:
        problems.append(f"add_points of 7, 5, 0.5 returned {got} (want [7.0, 12.0, 12.5])")
    if ranks != (2, 3) or not all(type(x) is int for x in ranks):
        problems.append(f"rank of zed (12.5) and shared_rank of amy (9) returned {ranks!r} (want (2, 3))")
    if got == [7, 5, 0.5]:
        pitfall = "add_points returns the increment it was given, not the new score: return ZINCRBY's reply"
    elif got == [7, 12, 12] and all(type(x) is int for x in got):
        pitfall = (
            "add_points truncates the new score to an int: scores can be fractional; return float(reply)"
        )
    elif any(x is None for x in got):
        pitfall = "add_points returns nothing: ZINCRBY replies with the new score; return it as a float"
    elif any(isinstance(x, str) for x in (*got, *ranks)):
        pitfall = TEXT
    elif ranks == (1, 3):
        pitfall = RANK_PITFALLS["zero-based"]
    elif ranks == (2, 2):  # amy has two players above her (no ties): a dense rank would also be 3
        pitfall = "shared_rank without the + 1: it is the number of players with a higher score, plus 1"
    else:
        pitfall = NO_KNOWN_PITFALL
    return verdict(
        not problems,
        "add_points returned 7.0, 12.0, 12.5; rank 2 and shared rank 3 are ints"
        if not problems
        else "; ".join(problems),
        pitfall=pitfall,
    )


#: page_ties' tied groups of 3: fractions (a cursor truncated to int skips a whole group), past
#: one digit and across 100 (numbers compared as text go wrong).
TIE_SCORES = (120.5, 110.75, 110.25, 100.5, 90.75, 90.25, 80.5, 70.5)
LAST_CURSOR = (
    "a cursor returned with a short last page: a page with fewer than n entries is the last one; "
    "return None as its cursor"
)


@check("leaderboard.page_ties", "every player once across pages, ties straddling page edges")
def page_ties(ctx: DrillContext, impl: Any) -> Verdict:
    """23 players in tied groups of 3 (fractional scores, past one digit), paged 5 at a time to the end."""
    board = ctx.key("lb", "page-ties")
    ctx.r.delete(board)
    scores = {f"t{i:02d}": TIE_SCORES[i // 3] for i in range(23)}
    ctx.r.zadd(board, scores)
    order = expected_order(scores)
    want = [m for m, _ in order]
    pages: list[list[tuple[str, float]]] = []
    cursor: Any = None
    short_with_cursor = False
    while len(pages) < 11:
        entries, cursor = _page(impl, ctx, board, cursor)
        pages.append(entries)
        short_with_cursor = short_with_cursor or (0 < len(entries) < PAGE and cursor is not None)
        if cursor is None:
            break
    calls = len(pages)
    seen = [m for entries in pages for m, _ in entries]
    repeated = sorted({m for m in seen if seen.count(m) > 1})
    missing = [m for m in want if m not in seen]
    ok = seen == want and cursor is None and not short_with_cursor
    if ok:
        message = f"{len(want)} players in {calls} pages, each once and in order; the last cursor is None"
    else:
        message = (
            f"{len(seen)} entries in {calls} pages (want {len(want)}); repeated {repeated or 'none'}, "
            f"missing {missing[:5] or 'none'}; last cursor {cursor!r} (want None)"
        )
        message += "; a short page came with a cursor" if short_with_cursor else ""
    if ok:
        pitfall = None
    elif repeated or missing:
        pitfall = paging_mistake(order, pages, PAGE) or NO_KNOWN_PITFALL
    elif cursor is not None:
        pitfall = "paging never ends: return None as the cursor once the last page is out"
    elif short_with_cursor:
        pitfall = LAST_CURSOR
    else:
        pitfall = NO_KNOWN_PITFALL
    return verdict(ok, message, pitfall=pitfall, pages=calls, repeated=len(repeated), missing=len(missing))


@check("leaderboard.one_round_trip", "one round trip per operation")
def one_round_trip(ctx: DrillContext, impl: Any) -> Verdict:
    """Every operation is one round trip (a consistent view, and no latency multiplied)."""
    board = ctx.key("lb", "trips")
    seed_board(ctx, board, 50, ctx.fork_rng("trips"))
    calls = {
        "add_points": lambda: impl.add_points(ctx.r, board, "p0001", 5),
        "top": lambda: impl.top(ctx.r, board, 10),
        "rank": lambda: impl.rank(ctx.r, board, "p0001"),
        "shared_rank": lambda: impl.shared_rank(ctx.r, board, "p0001"),
        "around": lambda: impl.around(ctx.r, board, "p0001", 2),
        "page": lambda: impl.page(ctx.r, board, (2500.0, "p0025"), 5),
    }
    trips = {name: round_trips_of(ctx, f"check:{name}", call)[1] for name, call in calls.items()}
    heavy = {name: n for name, n in trips.items() if n != 1}
    return verdict(
        not heavy,
        "every operation took 1 round trip"
        if not heavy
        else ", ".join(f"{n} took {t} round trips" for n, t in heavy.items()),
        pitfall="several round trips per operation: slower, and reads taken from different states; "
        "use one command or one Lua script",
        **{f"trips_{k}": v for k, v in trips.items()},
    )


CHECKS = (
    concurrent_add,
    returns,
    top_k,
    rank,
    shared_rank,
    around,
    stable_pages,
    page_ties,
    one_round_trip,
)
