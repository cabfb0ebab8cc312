"""The sorted-sets drill: a priority queue that hands each job out once, ranges, BZPOPMIN."""

from __future__ import annotations

from redisprep.drills.context import DrillContext
from redisprep.drills.sorted_sets import checks
from redisprep.drills.sorted_sets import reference as zs
from redisprep.drills.sorted_sets.steps import NAIVE


def test_peek_then_zrem_runs_every_job_on_every_worker(ctx: DrillContext) -> None:
    result = checks.exactly_once.run(ctx, NAIVE)
    assert not result.passed
    assert result.measured["runs"] == checks.JOBS * checks.WORKERS
    assert "ZPOPMIN" in (result.pitfall or "")


def test_due_is_a_score_range_and_page_a_rank_range(ctx: DrillContext) -> None:
    queue = ctx.key("q")
    for job, at in (("a", 30), ("b", 10), ("c", 20), ("d", 40)):
        zs.schedule(ctx.r, queue, job, at)
    assert zs.due(ctx.r, queue, 25, 10) == [("b", 10.0), ("c", 20.0)]
    assert zs.due(ctx.r, queue, 100, 1) == [("b", 10.0)]
    assert zs.page(ctx.r, queue, 1, 2) == [("c", 20.0), ("a", 30.0)]
    assert zs.pop_next(ctx.r, queue) == ("b", 10.0)
    assert zs.pop_next_blocking(ctx.r, queue, 0.05) == ("c", 20.0)


def test_blocking_pop_times_out_with_nothing(ctx: DrillContext) -> None:
    assert zs.pop_next_blocking(ctx.r, ctx.key("empty"), 0.05) is None
