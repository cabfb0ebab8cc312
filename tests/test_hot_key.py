"""The hot-key drill: one node takes the load, and each remedy lowers the busiest node's share."""

from __future__ import annotations

from typing import Any

import pytest

from redisprep.backends import Backend, connect
from redisprep.cluster.sim import simulated_owners
from redisprep.drills import run_drill
from redisprep.drills.context import DrillContext
from redisprep.drills.hot_key import checks
from redisprep.drills.hot_key import reference as hk
from redisprep.drills.hot_key.steps import NAIVE_CACHE, NAIVE_COPIES
from redisprep.drills.model import BarChart, DrillReport
from redisprep.knowledge.slots import key_slot


def shares(report: DrillReport) -> dict[str, float]:
    """Busiest node's share of GETs per measurement, read from the drill's bar charts."""
    out = {}
    for step in report.steps:
        for fig in step.outcome.figures:
            if isinstance(fig, BarChart):
                values = [v for _, v in fig.bars]
                out[fig.title] = max(values) / sum(values)
    return out


def _baseline_and_remedies(report: DrillReport) -> tuple[float, dict[str, float]]:
    by_title = shares(report)
    baseline = next(v for k, v in by_title.items() if "no remedy" in k)
    return baseline, {k: v for k, v in by_title.items() if "no remedy" not in k}


def test_copy_key_puts_the_suffix_inside_the_hash_tag() -> None:
    assert hk.copy_key("p:{product:42}", 3) == "p:{product:42:3}"
    assert hk.copy_key("product:42", 3) == "product:42:3"
    assert key_slot(hk.naive_copy_key("p:{product:42}", 3)) == key_slot("product:42")


def test_spread_copies_lands_one_copy_on_each_node() -> None:
    owners = simulated_owners(3)
    copies = hk.spread_copies(
        "x:{product:42}", owners.__getitem__, ["sim-a:7001", "sim-b:7002", "sim-c:7003"]
    )
    assert [owners[key_slot(c)] for c in copies] == ["sim-a:7001", "sim-b:7002", "sim-c:7003"]
    naive = hk.naive_spread_copies("x:{product:42}", owners.__getitem__, ["sim-a:7001", "sim-b:7002"])
    assert {owners[key_slot(c)] for c in naive} == {"sim-c:7003"}


def test_drill_on_every_backend_shows_one_hot_node_and_three_remedies(backend: Backend) -> None:
    report = run_drill("hot-key", backend, seed=1)
    assert report.ok, [c.message for c in report.checks if not c.as_expected]
    baseline, remedies = _baseline_and_remedies(report)
    assert baseline > 0.8
    assert len(remedies) == 3
    for title, share in remedies.items():
        assert share <= baseline * 2 / 3, title
    # Neither backend is a cluster: everything cluster-shaped is labelled simulated.
    for step in report.steps:
        for fig in step.outcome.figures:
            assert "(simulated)" in fig.title
    assert "simulated" in report.steps[0].outcome.narration[0]


def test_naive_variants_fail_as_the_drill_says(backend: Backend) -> None:
    ctx = DrillContext.create(backend, seed=2)
    stale = checks.cache_staleness.run(ctx, NAIVE_CACHE)
    assert not stale.passed and "TTL" in (stale.pitfall or "")
    spread = checks.copies_spread.run(ctx, NAIVE_COPIES)
    assert not spread.passed and spread.measured["distinct_nodes"] == 1
    fresh = checks.cache_staleness.run(ctx, hk)
    assert fresh.passed and 0 < float(fresh.measured["stale_for_s"] or 0) <= 1.0


@pytest.mark.cluster
def test_each_remedy_lowers_the_busiest_share_on_a_real_cluster(
    replicated_cluster: Any, record_property: Any
) -> None:
    backend = connect(replicated_cluster.url, disposable=True)
    try:
        report = run_drill("hot-key", backend, seed=1)
        simulated = run_drill("hot-key", connect(None), seed=1)
    finally:
        backend.close()
    assert report.ok, [c.message for c in report.checks if not c.as_expected]
    baseline, remedies = _baseline_and_remedies(report)
    record_property("shares_real", {"baseline": baseline, **remedies})
    record_property("shares_simulated", shares(simulated))
    assert baseline > 0.8
    assert len(remedies) == 3
    for title, share in remedies.items():
        assert share < baseline, title
        assert "(simulated)" not in title
    # Same layout and seed: the simulation predicts the real per-node shares.
    assert sorted(shares(simulated).values()) == pytest.approx(sorted(shares(report).values()), abs=0.02)


@pytest.mark.cluster
def test_without_replicas_the_replica_remedy_is_skipped(cluster_backend: Backend) -> None:
    report = run_drill("hot-key", cluster_backend, seed=1)
    assert report.ok
    last = report.steps[-1]
    assert last.outcome.skipped and "--replicas" in last.outcome.skipped
    assert report.keys_removed > 0
