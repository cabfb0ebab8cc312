"""The cache drill: the reference passes every check; each naive cache fails the way the drill says."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from redisprep.backends import Backend, delete_namespace
from redisprep.drills import run_drill
from redisprep.drills.cache import checks, eviction
from redisprep.drills.cache import reference as cache
from redisprep.drills.cache.eviction import PolicyRun
from redisprep.drills.cache.steps import (
    NAIVE,
    PLAIN_TTL,
    SINGLE_FLIGHT_LOCK,
    XFETCH_NO_FLAG,
    evictions,
    policy_summary,
)
from redisprep.drills.check_helpers import variant
from redisprep.drills.context import DrillContext
from redisprep.errors import BackendUnsupportedError


def test_stampede_naive_loads_once_per_reader(ctx: DrillContext) -> None:
    result = checks.stampede.run(ctx, NAIVE)
    assert not result.passed
    assert result.measured == {
        "loads": checks.READERS,
        "readers": checks.READERS,
        "served": checks.READERS,
        "timed_out": False,
    }
    assert "without stampede protection" in (result.pitfall or "")


@pytest.mark.parametrize("impl", [cache, SINGLE_FLIGHT_LOCK], ids=["lease", "single-flight lock"])
def test_stampede_single_flight_loads_once(ctx: DrillContext, impl: Any) -> None:
    result = checks.stampede.run(ctx, impl)
    assert result.passed, result.message
    assert result.measured["loads"] == 1 and result.measured["served"] == checks.READERS
    assert result.measured["timed_out"] is False


@pytest.mark.parametrize("impl", [NAIVE, SINGLE_FLIGHT_LOCK], ids=["naive", "single-flight lock"])
def test_stale_set_survives_without_a_lease(ctx: DrillContext, impl: Any) -> None:
    result = checks.stale_set.run(ctx, impl)
    assert not result.passed
    assert "'stock=5'" in result.message and "'stock=4'" in result.message
    assert 0 < int(result.measured["stale_for_s"] or 0) <= checks.TTL_S
    assert "stale set" in (result.pitfall or "")


def test_lease_fill_after_invalidation_is_dropped(ctx: DrillContext) -> None:
    key = ctx.key("cache", "{p}")
    status, _ = cache.lookup(ctx.r, key, "token-a")
    assert status == "lease"
    assert cache.lookup(ctx.r, key, "token-b") == ("wait", None)
    cache.invalidate(ctx.r, key)
    assert cache.fill(ctx.r, key, "token-a", "old", 60) is False
    assert ctx.r.get(key) is None
    assert cache.lookup(ctx.r, key, "token-c")[0] == "lease"  # the next reader loads afresh


def test_failed_load_gives_the_lease_back(ctx: DrillContext) -> None:
    key = ctx.key("cache", "{boom}")

    def broken() -> str:
        raise RuntimeError("database down")

    with pytest.raises(RuntimeError):
        cache.read(ctx.r, key, broken, 60)
    assert ctx.r.exists(cache.lease_key(key)) == 0
    assert cache.read(ctx.r, key, lambda: "ok", 60) == "ok"


def test_plain_ttl_misses_for_a_whole_recompute_after_every_expiry(ctx: DrillContext) -> None:
    result = checks.early_refresh.run(ctx, PLAIN_TTL)
    assert not result.passed
    # 20 reads/s during the 1 s recompute after the one expiry that follows warm-up in the check's
    # 16 s, all recomputing.
    assert (result.measured["misses"], result.measured["recomputes"], result.measured["peak"]) == (20, 20, 20)
    assert "plain TTL" in (result.pitfall or "")


def test_xfetch_without_flag_avoids_misses_but_overlaps_recomputes(ctx: DrillContext) -> None:
    result = checks.early_refresh.run(ctx, XFETCH_NO_FLAG)
    assert not result.passed
    assert result.measured["misses"] == 0
    assert int(result.measured["peak"] or 0) > 1
    assert "in-progress flag" in (result.pitfall or "")


@pytest.mark.parametrize("seed", [0, 1, 2, 7, 42])
def test_reference_early_refresh_holds_for_other_seeds(backend: Backend, seed: int) -> None:
    context = DrillContext.create(backend, seed=seed)
    try:
        result = checks.early_refresh.run(context, cache)
    finally:
        delete_namespace(backend.client(), context.ns)
    assert result.passed, result.message
    assert result.measured["peak"] == 1


def _no_ttl_read(r: Any, key: str, load: Callable[[], str], ttl_s: int) -> str:
    value = r.get(key)
    if value is None:
        value = load()
        r.set(key, value)  # forgot EX: the entry never expires
    return str(value)


def test_cache_without_ttl_is_caught(ctx: DrillContext) -> None:
    result = checks.aside.run(ctx, variant(cache, read=_no_ttl_read))
    assert not result.passed
    assert result.measured["ttl_s"] == -1
    assert "without a TTL" in (result.pitfall or "")


@pytest.mark.live  # needs redis-server (without one, conftest turns the error into a skip)
def test_eviction_policies_on_a_throwaway_server() -> None:
    runs = {r.policy: r for r in eviction.compare_policies()}
    assert runs["noeviction"].rejected > 0 and runs["noeviction"].evicted == 0
    for policy in ("allkeys-lfu", "volatile-lru"):
        assert runs[policy].rejected == 0 and runs[policy].evicted > 0
    # volatile-* evicts only keys with a TTL, and the hot keys have none: all of them stay.
    assert runs["volatile-lru"].hot_kept == eviction.HOT
    # LFU is a sampled approximation (maxmemory-samples 5): it keeps nearly all, not always all.
    assert runs["allkeys-lfu"].hot_kept >= 0.95 * eviction.HOT
    assert runs["allkeys-random"].hot_kept < runs["allkeys-lfu"].hot_kept
    said = policy_summary(tuple(runs.values()))  # the narration quotes this run's rows
    assert f"refused {runs['noeviction'].rejected} writes" in said
    assert f"`allkeys-lru` kept {runs['allkeys-lru'].hot_kept}, " in said
    assert f"`allkeys-random` ({runs['allkeys-random'].hot_kept})" in said


@pytest.mark.parametrize(
    ("lru", "rnd", "versus", "why"),
    [
        (13, 18, "about as many as `allkeys-random` (18)", "cannot tell hot from cold"),
        (60, 18, "42 more than `allkeys-random` (18)", "looked newer than cold keys"),
        (2, 30, "28 fewer than `allkeys-random` (30)", "cannot tell hot from cold"),
    ],
)
def test_eviction_narration_follows_the_measured_rows(lru: int, rnd: int, versus: str, why: str) -> None:
    runs = (
        PolicyRun("noeviction", 603, 100, 0, 0.02),
        PolicyRun("allkeys-lru", 0, lru, 628, 0.02),
        PolicyRun("allkeys-lfu", 0, 97, 625, 0.02),
        PolicyRun("allkeys-random", 0, rnd, 628, 0.02),
        PolicyRun("volatile-lru", 0, 100, 625, 0.02),
    )
    said = policy_summary(runs)
    assert f"`allkeys-lru` kept {lru}, {versus}." in said and why in said
    assert "refused 603 writes" in said and "this fill took 0.02 s" in said
    assert "`allkeys-lfu` kept 97 of the 100 hot keys" in said and "`volatile-lru` all 100 hot keys" in said


def test_eviction_step_is_skipped_without_redis_server(
    ctx: DrillContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    def missing(name: str = "redis-server") -> str:
        raise BackendUnsupportedError(f"{name} is not installed")

    monkeypatch.setattr("redisprep.localserver.find_binary", missing)
    outcome = evictions(ctx)
    assert outcome.skipped is not None and "not installed" in outcome.skipped
    assert not outcome.figures and not outcome.checks


def test_drill_run_is_deterministic_and_leaves_no_keys(backend: Backend) -> None:
    first = run_drill("cache", backend, seed=5)
    second = run_drill("cache", backend, seed=5)
    assert first.ok and second.ok

    def shown(report: Any) -> list[Any]:
        # Redis samples keys at random when it evicts: that table may differ between runs.
        return [
            (f.rows, [(c.title, c.passed, c.message) for c in s.outcome.checks])
            for s in report.steps
            for f in s.outcome.figures
            if f.title != "one workload, five policies"
        ]

    assert shown(first) == shown(second)
    assert list(backend.client().scan_iter(match="redisprep:*")) == []
    ops = {c.operation: c for c in first.costs}
    for op in ("cache read", "fill", "invalidate", "early-refresh read", "early-refresh store"):
        assert ops[op].round_trips_per_call == 1, op
    assert ops["invalidate"].commands == ("DEL",)


def test_cli_shows_the_counts_and_the_questions(invoke: Any) -> None:
    result = invoke("drill", "cache", "--seed", "2", catch=False)
    assert result.exit_code == 0, result.stderr
    out = " ".join(result.stdout.replace("│", " ").split())  # undo panels and line wrapping
    assert "20 concurrent readers, 20 database loads" in out
    assert "20 concurrent readers, 1 database load;" in out
    assert "What happens when Redis runs out of memory?" in out
    assert "all 9 checks came out as expected" in out
