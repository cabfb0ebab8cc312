"""The narrated steps of the leaderboard drill."""

from __future__ import annotations

from redisprep.drills.check_helpers import variant
from redisprep.drills.context import DrillContext
from redisprep.drills.leaderboard import checks
from redisprep.drills.leaderboard import reference as lb
from redisprep.drills.model import DataTable, Step, StepOutcome

NAIVE = variant(lb, add_points=lb.naive_add_points, page=lb.naive_page)
PLAYERS = 1000


def _board(ctx: DrillContext) -> str:
    return ctx.key("lb", "{game}", "alltime")


def seed(ctx: DrillContext) -> StepOutcome:
    board = _board(ctx)
    rng = ctx.fork_rng("seed")
    scores = {f"player:{i:04d}": rng.randrange(0, 100_000) for i in range(PLAYERS)}
    with ctx.tracer.operation("seed (pipelined ZADD)"):
        pipe = ctx.r.pipeline(transaction=False)
        for start in range(0, PLAYERS, 250):
            chunk = dict(list(scores.items())[start : start + 250])
            pipe.zadd(board, chunk)
        pipe.execute()
    size = ctx.r.zcard(board)
    return StepOutcome(
        narration=(
            f"A leaderboard is one sorted set: members are player ids, scores are points. "
            f"{PLAYERS} players go in with `ZADD`, pipelined in chunks of 250 so the whole seed "
            "is one round trip.",
            "A sorted set keeps a hash (member to score, for O(1) `ZSCORE`) and a skiplist "
            "ordered by score (for O(log N) rank and range queries). Up to 128 members of at most "
            "64 bytes it is a compact listpack instead; this board has long since switched.",
        ),
        figures=(DataTable("board", ("key", "ZCARD"), ((board, size),)),),
    )


def updates(ctx: DrillContext) -> StepOutcome:
    board = _board(ctx)
    rows = []
    for player, points in (("player:0007", 2500), ("player:0042", 1200), ("player:0007", 300)):
        with ctx.tracer.operation("add points"):
            new = lb.add_points(ctx.r, board, player, points)
        rows.append((player, f"+{points}", new))
    return StepOutcome(
        narration=(
            "A score changes with `ZINCRBY board points player`: the server reads, adds and "
            "re-positions the member in one atomic command, O(log N). Nothing is read into the "
            "application first, so concurrent writers cannot overwrite each other.",
            "For best-score boards (keep the maximum, not the sum) use `ZADD board GT score "
            "player` (Redis 6.2+).",
        ),
        figures=(DataTable("ZINCRBY", ("player", "points", "new score"), tuple(rows)),),
    )


def top_and_rank(ctx: DrillContext) -> StepOutcome:
    board = _board(ctx)
    with ctx.tracer.operation("top-K"):
        best = lb.top(ctx.r, board, 10)
    with ctx.tracer.operation("rank"):
        position = lb.rank(ctx.r, board, "player:0042")
    score = ctx.r.zscore(board, "player:0042")
    rows = tuple((i + 1, m, s) for i, (m, s) in enumerate(best))
    return StepOutcome(
        narration=(
            "Top-K is `ZRANGE board 0 K-1 REV WITHSCORES`, O(log N + K): the skiplist walks to "
            "the first element and reads K in order. (`ZREVRANGE` is the pre-6.2 spelling, "
            "deprecated since 6.2.)",
            f"A player's rank is `ZREVRANK board player` + 1, O(log N): player:0042 is "
            f"#{position} with {score:g} points. `ZRANK` would count from the lowest score.",
        ),
        figures=(DataTable("top 10", ("rank", "player", "score"), rows),),
        checks=(checks.top_k.run(ctx, lb), checks.rank.run(ctx, lb)),
    )


def around_me(ctx: DrillContext) -> StepOutcome:
    board = _board(ctx)
    with ctx.tracer.operation("around me"):
        window = lb.around(ctx.r, board, "player:0042", 2)
    first = lb.rank(ctx.r, board, window[0][0]) or 1
    rows = tuple((first + i, m, s, "<- you" if m == "player:0042" else "") for i, (m, s) in enumerate(window))
    return StepOutcome(
        narration=(
            '"Around me" needs the rank first, then the range `ZRANGE board r-2 r+2 REV`. Two '
            "separate calls could read two different states (a score changes in between and the "
            "player is no longer in the window), so both run in one Lua script: one round trip, "
            "one consistent view. `MULTI` cannot do it, because the range depends on the rank.",
        ),
        figures=(DataTable("around player:0042", ("rank", "player", "score", ""), rows),),
        checks=(checks.around.run(ctx, lb),),
    )


def ties(ctx: DrillContext) -> StepOutcome:
    board = ctx.key("lb", "{game}", "ties")
    ctx.r.zadd(board, {"alice": 100, "bob": 100, "carol": 90})
    order = [m for m, _ in lb.top(ctx.r, board, 3)]
    alice_at = lb.encode_score(100, reached_at=1_000)
    bob_at = lb.encode_score(100, reached_at=2_000)
    fits = lb.encode_score(2**20, 2**32 - 1) < lb.EXACT_LIMIT
    overflow = lb.decode_score(lb.encode_score(2**22 + 1, 5)) != (2**22 + 1, 5)
    return StepOutcome(
        narration=(
            f"alice and bob both have 100 points. Redis orders equal scores by member bytes, so "
            f"the REV range lists {', '.join(order)}: bob is \"ahead\" only because 'b' > 'a', "
            f"and `ZREVRANK` gives them positions 0 and 1 (ranks 1 and 2).",
            "Two fixes. Shared (competition) rank: 1 + `ZCOUNT board (score +inf`, so both are "
            "#1 and carol is #3. Or break ties by time: encode points * 2^32 + (2^32 - 1 - t) so "
            f"the earlier achiever sorts first (alice {alice_at:.0f} > bob {bob_at:.0f}).",
            "Scores are IEEE doubles: integers are exact only up to 2^53. With 32 bits of time, "
            "points must stay below 2^21, where the largest score reaches 2^53 - 1: points of 2^20 "
            f"fit ({'decode exact' if fits else 'NOT exact'}); points of 2^22 "
            f"{'lose bits' if overflow else 'still decode'}.",
        ),
        figures=(
            DataTable(
                "ties",
                ("player", "ZREVRANK+1", "shared rank"),
                tuple((m, lb.rank(ctx.r, board, m), lb.shared_rank(ctx.r, board, m)) for m in order),
            ),
        ),
        checks=(checks.shared_rank.run(ctx, lb),),
    )


def pagination(ctx: DrillContext) -> StepOutcome:
    naive = checks.stable_pages.run(ctx, NAIVE).expecting_failure()
    keyset = checks.stable_pages.run(ctx, lb)
    return StepOutcome(
        narration=(
            "Offset pages (`ZRANGE board 5 9 REV`) are cheap even deep down, O(log N + n), but "
            "they are positions, not players: if someone above the page boundary moves up between "
            "two reads, everyone shifts by one and a player shows on two pages.",
            "Keyset paging remembers the last (score, member) shown and asks for what comes after "
            "it (`ZRANGE board score -inf BYSCORE REV LIMIT ...`), so a move elsewhere cannot "
            "shift the next page.",
        ),
        checks=(naive, keyset),
    )


def concurrency(ctx: DrillContext) -> StepOutcome:
    naive = checks.concurrent_add.run(ctx, NAIVE).expecting_failure()
    atomic = checks.concurrent_add.run(ctx, lb)
    return StepOutcome(
        narration=(
            f"{checks.WORKERS} writers each add 1 point {checks.ROUNDS} times to the same player. "
            "The drill runs them in lockstep: every writer sends its next command only after all "
            "have sent their previous one, the worst interleaving a busy server can produce.",
            "Read-modify-write (`ZSCORE`, add in Python, `ZADD`) lets every writer read the same "
            "old score and write the same new one: all but one increment per round is lost. "
            "`ZINCRBY` does the addition inside the server, one command at a time, and keeps all.",
        ),
        checks=(naive, atomic),
    )


def round_trips(ctx: DrillContext) -> StepOutcome:
    return StepOutcome(
        narration=(
            "Each operation of the reference design is one round trip: one command, or one Lua "
            "script where a read feeds a write. On a network with 0.2 ms round trips, one round "
            "trip per operation allows about 5,000 operations per second per connection; five "
            "round trips per operation would allow about 1,000.",
        ),
        checks=(checks.one_round_trip.run(ctx, lb),),
    )


STEPS = (
    Step("Seed the board", seed),
    Step("Score updates with ZINCRBY", updates),
    Step("Top-K and a player's rank", top_and_rank),
    Step("Around me", around_me),
    Step("Ties and how to break them", ties),
    Step("Pagination that stays stable", pagination),
    Step("Concurrent writers: lost updates", concurrency),
    Step("One round trip per operation", round_trips),
)
