"""Checks of the leaderboard drill; each runs against any implementation of the leaderboard interface."""

from __future__ import annotations

import random
from typing import Any

from redisprep.drills._checks import Verdict, check, in_lockstep, round_trips_of, verdict
from redisprep.drills.context import DrillContext

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
    got = [(str(m), float(s)) for m, s in impl.top(ctx.r, board, 10)]
    want = expected_order(scores)[:10]
    same = got == want
    message = "top 10 of 200 match" if same else f"top 10 differs: got {got[:3]}…, want {want[:3]}…"
    return verdict(
        same,
        message,
        pitfall="top-K must be ZRANGE ... REV (highest first), not ascending",
        size=BOARD_SIZE,
    )


@check("leaderboard.rank", "rank of a player (1-based)")
def rank(ctx: DrillContext, impl: Any) -> Verdict:
    """``rank`` is the 1-based position in top order, None for a stranger."""
    board = ctx.key("lb", "rank")
    rng = ctx.fork_rng("rank")
    scores = seed_board(ctx, board, BOARD_SIZE, rng)
    order = [m for m, _ in expected_order(scores)]
    wrong = []
    for player in rng.sample(order, 20):
        got = impl.rank(ctx.r, board, player)
        if got != order.index(player) + 1:
            wrong.append(f"{player}: got {got}, want {order.index(player) + 1}")
    stranger = impl.rank(ctx.r, board, "nobody")
    if stranger is not None:
        wrong.append(f"unknown player: got {stranger}, want None")
    return verdict(
        not wrong,
        "20 sampled ranks and an unknown player are right" if not wrong else "; ".join(wrong[:3]),
        pitfall="ZRANK counts from the lowest score and from 0; a leaderboard wants ZREVRANK + 1",
        wrong=len(wrong),
    )


@check("leaderboard.shared_rank", "tied players share a rank")
def shared_rank(ctx: DrillContext, impl: Any) -> Verdict:
    """Competition ranking: players with equal scores share a rank (1, 1, 1, 4)."""
    board = ctx.key("lb", "ties")
    ctx.r.zadd(board, {"alice": 100, "bob": 100, "dave": 100, "carol": 90, "erin": 120})
    want = {"erin": 1, "alice": 2, "bob": 2, "dave": 2, "carol": 5, "nobody": None}
    got = {p: impl.shared_rank(ctx.r, board, p) for p in want}
    ok = got == want
    return verdict(
        ok,
        "erin 1; alice, bob and dave 2; carol 5" if ok else f"got {got}",
        pitfall="ZREVRANK breaks ties by member name; a shared rank is ZCOUNT (score +inf] + 1",
    )


@check("leaderboard.around", "neighbours above and below")
def around(ctx: DrillContext, impl: Any) -> Verdict:
    """``around(player, k)`` returns k above and k below, clipped at the top of the board."""
    board = ctx.key("lb", "around")
    scores = seed_board(ctx, board, BOARD_SIZE, ctx.fork_rng("around"))
    order = expected_order(scores)
    problems = []
    for position in (0, 1, 57, BOARD_SIZE - 1):
        player = order[position][0]
        got = [(str(m), float(s)) for m, s in impl.around(ctx.r, board, player, 2)]
        want = order[max(0, position - 2) : position + 3]
        if got != want:
            problems.append(f"around #{position + 1}: got {[m for m, _ in got]}")
    return verdict(
        not problems,
        "windows at #1, #2, #58 and #200 are right" if not problems else "; ".join(problems[:2]),
        pitfall="the window is ZREVRANK then ZRANGE rank-k rank+k REV, clipped at 0",
    )


@check("leaderboard.stable_pages", "pages stay stable while scores change")
def stable_pages(ctx: DrillContext, impl: Any) -> Verdict:
    """A score change between two page reads must not repeat or skip a player."""
    board = ctx.key("lb", "pages")
    ctx.r.zadd(board, {f"u{i:02d}": 100 - i for i in range(20)})
    first, cursor = impl.page(ctx.r, board, None, PAGE)
    ctx.r.zincrby(board, 50, "u10")  # the 11th jumps to the top between the two reads
    second, _ = impl.page(ctx.r, board, cursor, PAGE)
    first_names = [str(m) for m, _ in first]
    second_names = [str(m) for m, _ in second]
    repeated = sorted(set(first_names) & set(second_names))
    want = [f"u{i:02d}" for i in range(5, 10)]
    ok = not repeated and second_names == want
    message = (
        f"page 2 is {', '.join(second_names)}: no player repeated or skipped"
        if ok
        else f"page 2 is {', '.join(second_names)}; repeated from page 1: {repeated or 'none'}"
    )
    return verdict(
        ok,
        message,
        pitfall="offset paging (ZRANGE offset offset+n) shifts when a player moves; page by score "
        "(keyset cursor)",
        repeated=len(repeated),
    )


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


CHECKS = (concurrent_add, top_k, rank, shared_rank, around, stable_pages, one_round_trip)
