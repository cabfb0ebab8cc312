"""The redirection drill: CROSSSLOT, MOVED and ASK, on a simulation and on a real cluster."""

from __future__ import annotations

from typing import Any

import pytest

from redisprep.backends import Backend, connect
from redisprep.cluster.router import read_layout
from redisprep.drills import run_drill
from redisprep.drills.context import DrillContext
from redisprep.drills.model import DataTable, DrillReport
from redisprep.drills.redirection import checks
from redisprep.drills.redirection import reference as cr
from redisprep.drills.redirection.steps import NAIVE_ASK, NAIVE_KEYS, NAIVE_MOVED
from redisprep.release import Release


def _assert_steps_and_checks_share_slots(report: DrillReport) -> None:
    """The ASK and MOVED steps name the slot their own table shows, and their checks used it too."""
    ask, after = report.steps[3].outcome, report.steps[4].outcome
    for outcome in (ask, after):
        (slot,) = {c.measured["slot"] for c in outcome.checks}
        assert f"on the same slot {slot}," in " ".join(outcome.narration)
        assert all(
            c.message.startswith(f"slot {slot}") or f"slot {slot} " in c.message for c in outcome.checks
        )
    (table,) = ask.figures
    assert isinstance(table, DataTable)
    (slot,) = {c.measured["slot"] for c in ask.checks}
    assert any(str(row[2]).startswith(f"-ASK {slot} ") for row in table.rows)
    (slot,) = {c.measured["slot"] for c in after.checks}
    assert f"with slot {slot}" in after.figures[0].title


def test_drill_runs_simulated_off_a_cluster(backend: Backend) -> None:
    report = run_drill("redirection", backend, seed=0)
    assert report.ok, [c.message for c in report.checks if not c.as_expected]
    for step in report.steps[2:]:
        assert step.outcome.narration[0].startswith("Simulated:")
        assert all("(simulated)" in f.title for f in step.outcome.figures)
    _assert_steps_and_checks_share_slots(report)


def test_naive_routing_fails_each_check(backend: Backend) -> None:
    ctx = DrillContext.create(backend, seed=0)
    crossslot = checks.same_slot.run(ctx, NAIVE_KEYS)
    assert not crossslot.passed and "CROSSSLOT" in crossslot.message
    ask = checks.ask_keeps_map.run(ctx, NAIVE_ASK)
    assert not ask.passed and "redirected 5 times" in ask.message
    moved = checks.moved_updates_map.run(ctx, NAIVE_MOVED)
    assert not moved.passed and moved.measured["redirects"] == checks.REQUESTS
    for check in checks.CHECKS:
        assert check.run(ctx, cr).passed


def _layout(backend: Backend, port: int) -> Any:
    return read_layout(backend.node_client("127.0.0.1", port))


def _calls(backend: Backend, cluster: Any, name: str) -> int:
    """Calls of ``name`` (``cluster|setslot``) on every node; Redis 6.2 counts a subcommand only
    under its command (``cluster``), so there a subcommand reads 0 (see :func:`_epoch`)."""
    total = 0
    for server in cluster.servers:
        stats = backend.node_client("127.0.0.1", server.port).info("commandstats")
        total += int(stats.get(f"cmdstat_{name}", {}).get("calls", 0))
    return total


def _epoch(backend: Backend, cluster: Any) -> int:
    """The cluster's current epoch: ``CLUSTER SETSLOT ... NODE`` bumps it, on every release."""
    return max(
        int(backend.node_client("127.0.0.1", s.port).cluster("info")["cluster_current_epoch"])
        for s in cluster.servers
    )


@pytest.mark.cluster
def test_drill_moves_slots_on_its_own_cluster_and_puts_them_back(
    cluster_backend: Backend, cluster: Any
) -> None:
    before = _layout(cluster_backend, cluster.servers[0].port)
    setslots = _calls(cluster_backend, cluster, "cluster|setslot")
    epoch = _epoch(cluster_backend, cluster)
    report = run_drill("redirection", cluster_backend, seed=0)
    assert report.ok, [c.message for c in report.checks if not c.as_expected]
    assert _epoch(cluster_backend, cluster) > epoch
    if cluster_backend.release.at_least(Release.redis(7, 0)):
        assert _calls(cluster_backend, cluster, "cluster|setslot") > setslots
    assert _layout(cluster_backend, cluster.servers[1].port) == before
    assert not any("simulated" in " ".join(s.outcome.narration).lower() for s in report.steps)
    _assert_steps_and_checks_share_slots(report)
    leftover = [
        k for s in cluster.servers for k in cluster_backend.node_client("127.0.0.1", s.port).keys("*")
    ]
    assert leftover == []


@pytest.mark.cluster
def test_on_a_cluster_it_did_not_start_it_changes_no_topology(
    cluster: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))  # no state file: not started by `cluster up`
    backend = connect(cluster.url)  # not disposable: treated as a user's cluster
    try:
        setslots = _calls(backend, cluster, "cluster|setslot")
        migrates = _calls(backend, cluster, "migrate")
        epoch = _epoch(backend, cluster)
        report = run_drill("redirection", backend, seed=0)
        assert report.ok
        assert _calls(backend, cluster, "cluster|setslot") == setslots
        assert _epoch(backend, cluster) == epoch
        assert _calls(backend, cluster, "migrate") == migrates
        ask, after = report.steps[3], report.steps[4]
        for step in (ask, after):
            assert "was not started by redisprep" in step.outcome.narration[0]
        assert not report.steps[2].outcome.narration[0].startswith("Simulated")  # MOVED step is real
    finally:
        backend.close()
