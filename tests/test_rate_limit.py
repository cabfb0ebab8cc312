"""The rate-limit drill: every limiter passes every check; naive ones fail the way the drill says."""

from __future__ import annotations

from typing import Any

from redisprep.backends import Backend
from redisprep.drills import run_drill
from redisprep.drills.check_helpers import variant
from redisprep.drills.context import DrillContext
from redisprep.drills.rate_limit import checks
from redisprep.drills.rate_limit import reference as rl
from redisprep.drills.rate_limit.steps import FIXED_AS_SLIDING, READ_THEN_WRITE


def test_fixed_window_admits_twice_the_limit_around_a_boundary(ctx: DrillContext) -> None:
    admitted = {name: checks.boundary_burst(ctx, getattr(rl, name), name) for name in rl.ALGORITHMS}
    assert admitted["fixed_window"] == (10, 10)
    for name in checks.SLIDING:
        assert admitted[name] == (10, 0), name


def test_boundary_check_catches_a_fixed_window_posing_as_sliding(ctx: DrillContext) -> None:
    result = checks.boundary.run(ctx, FIXED_AS_SLIDING)
    assert not result.passed
    assert result.measured["sliding_counter"] == 2 * checks.LIMIT
    assert result.measured["sliding_log"] == checks.LIMIT
    assert "fixed window" in (result.pitfall or "")


def test_read_then_increment_admits_every_concurrent_client(ctx: DrillContext) -> None:
    result = checks.concurrent.run(ctx, READ_THEN_WRITE)
    assert not result.passed
    # In lockstep every client reads 0 before anyone increments: all 16 first requests get in.
    assert result.measured["fixed_window"] == checks.CLIENTS
    assert result.measured["sliding_log"] == checks.CLIENTS
    for name in ("sliding_counter", "token_bucket", "gcra"):
        assert result.measured[name] == checks.LIMIT
    assert "read then increment" in (result.pitfall or "")


def test_the_grader_names_read_then_increment_for_a_learner_module(ctx: DrillContext) -> None:
    """A learner's limiter that GETs, compares, then INCRs (no Lua) fails with that pitfall."""

    def learner_fixed_window(r: Any, key: str, limit: int, window_ms: int, now_ms: int) -> bool:
        counter = f"{key}:{now_ms // window_ms}"
        if int(r.get(counter) or 0) >= limit:
            return False
        r.incr(counter)
        r.pexpire(counter, window_ms)
        return True

    learner = variant(rl, fixed_window=learner_fixed_window)
    result = checks.concurrent.run(ctx, learner)
    assert not result.passed
    assert result.measured["fixed_window"] == checks.CLIENTS
    assert "fixed_window admitted 16" in result.message
    assert (result.pitfall or "").startswith("read then increment")
    trips = checks.one_round_trip.run(ctx, learner)
    assert not trips.passed and trips.measured["trips_fixed_window"] == 3


def test_naive_variants_take_two_round_trips(ctx: DrillContext) -> None:
    result = checks.one_round_trip.run(ctx, READ_THEN_WRITE)
    assert not result.passed
    assert result.measured["trips_fixed_window"] == 2
    assert result.measured["trips_sliding_log"] == 2
    assert result.measured["trips_gcra"] == 1


def test_keys_check_catches_a_counter_without_expiry(ctx: DrillContext) -> None:
    def no_expiry(r: Any, key: str, limit: int, window_ms: int, now_ms: int) -> bool:
        return int(r.incr(f"{key}:{now_ms // window_ms}")) <= limit

    result = checks.keys.run(ctx, variant(rl, fixed_window=no_expiry))
    assert not result.passed
    assert "fixed_window has a key without expiry (PTTL -1" in result.message


def test_within_limit_catches_a_limiter_that_never_recovers(ctx: DrillContext) -> None:
    def forever(r: Any, key: str, limit: int, window_ms: int, now_ms: int) -> bool:
        return int(r.incr(f"{key}:count")) <= limit

    result = checks.within_limit.run(ctx, variant(rl, gcra=forever))
    assert not result.passed
    assert "gcra still denies" in result.message


def test_denied_requests_do_not_consume_gcra_or_bucket_capacity(ctx: DrillContext) -> None:
    for name in ("gcra", "token_bucket"):
        fn = getattr(rl, name)
        key = checks.limiter_key(ctx, f"retry-{name}")
        t0 = checks.EPOCH_MS
        assert sum(fn(ctx.r, key, 10, 60_000, t0) for _ in range(30)) == 10
        # One token comes back every 6 s, however many denied retries came in between.
        assert fn(ctx.r, key, 10, 60_000, t0 + 6_000), name
        assert not fn(ctx.r, key, 10, 60_000, t0 + 6_001), name


def test_drill_is_deterministic_leaves_no_keys_and_costs_one_round_trip(backend: Backend) -> None:
    first = run_drill("rate-limit", backend, seed=5)
    second = run_drill("rate-limit", backend, seed=5)
    assert first.ok and second.ok

    def tables(report: Any) -> list[Any]:
        # PTTL readings move by a millisecond between runs; every other cell must repeat.
        return [f.rows for s in report.steps for f in s.outcome.figures if "PTTL ms" not in f.columns]

    assert tables(first) == tables(second)
    boundary = next(f for s in first.steps for f in s.outcome.figures if "boundary" in f.title)
    assert [row[3] for row in boundary.rows] == [20, 10, 10, 10, 10]
    assert list(backend.client().scan_iter(match="redisprep:*")) == []
    costs = {c.operation: c for c in first.costs}
    for name in ("fixed window", "sliding log", "sliding window counter", "token bucket", "GCRA"):
        assert costs[f"{name}: admit or deny"].round_trips_per_call == 1, name
    assert costs["naive: GET, then INCR"].round_trips_per_call == 2
    assert costs["sliding log: admit or deny"].commands == ("EVAL",)
    assert costs["fixed window: admit or deny"].commands == ("EVAL",)
