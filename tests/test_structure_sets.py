"""The sets drill: membership, intersections, SINTERCARD (and fakeredis's missing-key quirk)."""

from __future__ import annotations

from server_facts import require

from redisprep.backends import Backend
from redisprep.drills import run_drill
from redisprep.drills.context import DrillContext
from redisprep.drills.sets import checks
from redisprep.drills.sets import reference as ss
from redisprep.drills.sets.steps import NAIVE


def test_a_list_counts_a_retried_follow_twice(ctx: DrillContext) -> None:
    result = checks.unique_members.run(ctx, NAIVE)
    assert not result.passed
    assert result.measured["size"] == 5


def test_sintercard_with_a_missing_first_key(ctx: DrillContext) -> None:
    """Redis answers 0 (fakeredis 2.40 answered WRONGTYPE); the reference gives 0 on every backend."""
    require(ctx.backend, "sintercard")
    present, missing = ctx.key("{s}", "present"), ctx.key("{s}", "missing")
    ctx.r.sadd(present, "a", "b")
    if not ctx.backend.is_simulated:
        assert ctx.r.execute_command("SINTERCARD", 2, missing, present) == 0
    assert ss.common_count(ctx.r, [missing, present]) == 0
    assert ss.common_count(ctx.r, [present, missing]) == 0


def test_sintercard_limit_stops_early(ctx: DrillContext) -> None:
    require(ctx.backend, "sintercard")
    a, b = ctx.key("{t}", "a"), ctx.key("{t}", "b")
    ss.add(ctx.r, a, [str(i) for i in range(50)])
    ss.add(ctx.r, b, [str(i) for i in range(25, 100)])
    assert ss.common_count(ctx.r, [a, b]) == 25
    assert ss.common_count(ctx.r, [a, b], limit=3) == 3
    assert ss.common(ctx.r, [a, b]) == {str(i) for i in range(25, 50)}


def test_algebra_table_shows_the_sets_its_check_intersected(backend: Backend) -> None:
    report = run_drill("sets", backend, seed=3)
    assert report.ok
    step = report.steps[1].outcome
    (result,) = step.checks
    rows = dict(step.figures[0].rows)
    assert rows["ana follows"] == rows["ben follows"] == checks.FOLLOWS
    assert rows["both (SINTER)"] == result.measured["common"]
    assert f"have {result.measured['common']} in common" in " ".join(step.narration)
    counting = report.steps[2].outcome
    if not backend.supports("sintercard"):
        # Only this step needs Redis 7.0; the others ran, and the skip names what is missing.
        assert counting.skipped and "needs SINTERCARD (Redis 7.0+)" in counting.skipped
        assert not counting.checks and report.steps[3].outcome.checks
        return
    (counted,) = counting.checks
    rows = dict(counting.figures[0].rows)
    assert rows["both (SINTERCARD)"] == counted.measured["common"] == result.measured["common"]
    assert rows[f"SINTERCARD ... LIMIT {checks.LIMIT}"] == counted.measured["limited"]
