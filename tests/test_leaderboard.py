"""The leaderboard drill: reference passes every check, naive variants fail the way the drill says."""

from __future__ import annotations

from redisprep.backends import Backend
from redisprep.drills import run_drill
from redisprep.drills.context import DrillContext
from redisprep.drills.leaderboard import checks
from redisprep.drills.leaderboard import reference as lb
from redisprep.drills.leaderboard.steps import NAIVE


def test_read_modify_write_loses_all_but_one_increment_per_round(ctx: DrillContext) -> None:
    result = checks.concurrent_add.run(ctx, NAIVE)
    assert not result.passed
    assert result.measured["final"] == checks.ROUNDS
    assert result.measured["lost"] == (checks.WORKERS - 1) * checks.ROUNDS
    assert "ZINCRBY" in (result.pitfall or "")


def test_offset_paging_repeats_a_player(ctx: DrillContext) -> None:
    result = checks.stable_pages.run(ctx, NAIVE)
    assert not result.passed
    assert "u04" in result.message
    assert result.measured["repeated"] == 1


def test_composite_score_round_trips_below_2_pow_53() -> None:
    assert lb.decode_score(lb.encode_score(2**20, 2**32 - 1)) == (2**20, 2**32 - 1)
    assert lb.encode_score(100, 1_000) > lb.encode_score(100, 2_000)  # earlier wins
    assert lb.decode_score(lb.encode_score(2**22 + 1, 5)) != (2**22 + 1, 5)


def test_keyset_pages_walk_the_whole_board_without_gaps(ctx: DrillContext) -> None:
    board = ctx.key("lb", "walk")
    ctx.r.zadd(board, {f"m{i:02d}": i // 3 for i in range(23)})  # many ties
    seen, cursor = [], None
    while True:
        page, cursor = lb.page(ctx.r, board, cursor, 4)
        seen += [m for m, _ in page]
        if cursor is None:
            break
    assert seen == [m for m, _ in lb.top(ctx.r, board, 100)]


def test_drill_run_is_deterministic_and_leaves_no_keys(backend: Backend) -> None:
    first = run_drill("leaderboard", backend, seed=7)
    second = run_drill("leaderboard", backend, seed=7)
    assert first.ok and second.ok
    assert [s.outcome.figures for s in first.steps] != []

    # Same seed, same tables (the board key differs only by its run prefix).
    def tables(report: object) -> list[object]:
        return [
            f.rows[1:] if f.title == "board" else f.rows
            for s in report.steps  # type: ignore[attr-defined]
            for f in s.outcome.figures
        ]

    assert tables(first)[1:] == tables(second)[1:]
    assert first.keys_removed > 0
    leftover = list(backend.client().scan_iter(match="redisprep:*"))
    assert leftover == []
    ops = {c.operation: c for c in first.costs}
    assert ops["add points"].round_trips_per_call == 1
    assert ops["top-K"].commands == ("ZRANGE",)
