"""The time-series drill: a sorted-set series, downsampling in one script, TS.* only where present."""

from __future__ import annotations

from redisprep.backends import Backend
from redisprep.drills import run_drill
from redisprep.drills.context import DrillContext
from redisprep.drills.time_series import checks
from redisprep.drills.time_series import reference as ts
from redisprep.drills.time_series.steps import NAIVE


def test_value_as_member_keeps_one_point_per_distinct_value(ctx: DrillContext) -> None:
    result = checks.every_point_kept.run(ctx, NAIVE)
    assert not result.passed
    data = checks.readings(ctx.fork_rng("kept"))
    assert result.measured["stored"] == len({v for _, v in data})


def test_downsample_returns_fractional_numbers_intact(ctx: DrillContext) -> None:
    key = ctx.key("s")
    ts.add_many(ctx.r, key, [(0, 1.25), (1_000, 2.5), (60_000, 0.1), (60_500, 0.2)])
    buckets = ts.downsample(ctx.r, key, 0, 120_000, 60_000)
    assert [(b.start, b.count, b.low, b.high) for b in buckets] == [(0, 2, 1.25, 2.5), (60_000, 2, 0.1, 0.2)]
    assert buckets[0].mean == 1.875 and abs(buckets[1].total - 0.3) < 1e-12


def test_trim_drops_only_older_points(ctx: DrillContext) -> None:
    key = ctx.key("s")
    ts.add_many(ctx.r, key, [(t, 1.0) for t in (10, 20, 30)])
    assert ts.trim(ctx.r, key, 20) == 1
    assert ts.points(ctx.r, key, 0, 100) == [(20, 1.0), (30, 1.0)]


def test_ts_commands_are_used_only_where_the_server_has_them(backend: Backend) -> None:
    report = run_drill("time-series", backend, seed=3)
    step = next(s for s in report.steps if "TS.*" in s.title)
    sent = {c.name for c in step.commands}
    if backend.has_command("ts.range"):  # fakeredis implements TS.*
        assert step.outcome.skipped is None
        assert {"TS.CREATE", "TS.MADD", "TS.RANGE"} <= sent
        assert step.outcome.checks[0].passed, step.outcome.checks[0].message
    else:
        assert step.outcome.skipped and "TS.*" in step.outcome.skipped
        assert not any(name.startswith("TS.") for name in sent)
