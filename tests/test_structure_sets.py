"""The sets drill: membership, intersections, SINTERCARD (and fakeredis's missing-key quirk)."""

from __future__ import annotations

import pytest
import redis

from redisprep.backends import Backend
from redisprep.drills import run_drill
from redisprep.drills.context import DrillContext
from redisprep.drills.structures.sets import checks
from redisprep.drills.structures.sets.steps import NAIVE
from redisprep.patterns import sets as ss


def test_a_list_counts_a_retried_follow_twice(ctx: DrillContext) -> None:
    result = checks.unique_members.run(ctx, NAIVE)
    assert not result.passed
    assert result.measured["size"] == 5


def test_sintercard_with_a_missing_first_key(ctx: DrillContext) -> None:
    """Redis answers 0; fakeredis 2.40 answers WRONGTYPE. The reference gives 0 on both."""
    present, missing = ctx.key("{s}", "present"), ctx.key("{s}", "missing")
    ctx.r.sadd(present, "a", "b")
    if ctx.backend.is_simulated:
        with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
            ctx.r.execute_command("SINTERCARD", 2, missing, present)
    else:
        assert ctx.r.execute_command("SINTERCARD", 2, missing, present) == 0
    assert ss.common_count(ctx.r, [missing, present]) == 0
    assert ss.common_count(ctx.r, [present, missing]) == 0


def test_sintercard_limit_stops_early(ctx: DrillContext) -> None:
    a, b = ctx.key("{t}", "a"), ctx.key("{t}", "b")
    ss.add(ctx.r, a, [str(i) for i in range(50)])
    ss.add(ctx.r, b, [str(i) for i in range(25, 100)])
    assert ss.common_count(ctx.r, [a, b]) == 25
    assert ss.common_count(ctx.r, [a, b], limit=3) == 3
    assert ss.common(ctx.r, [a, b]) == {str(i) for i in range(25, 50)}


def test_algebra_table_shows_the_sets_its_check_intersected(backend: Backend) -> None:
    report = run_drill("sets", backend, seed=3)
    step = report.steps[1].outcome
    (result,) = step.checks
    rows = dict(step.figures[0].rows)
    assert rows["ana follows"] == rows["ben follows"] == checks.FOLLOWS
    assert rows["both (SINTER / SINTERCARD)"] == result.measured["common"]
    assert rows[f"SINTERCARD ... LIMIT {checks.LIMIT}"] == result.measured["limited"]
    assert f"have {result.measured['common']} in common" in " ".join(step.narration)
