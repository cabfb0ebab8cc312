"""The event-sourcing drill: the reference passes every check, naive consumers fail the way the drill says."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from redisprep.backends import Backend, connect
from redisprep.drills import run_drill
from redisprep.drills.context import DrillContext
from redisprep.drills.event_sourcing import checks, variants, workload
from redisprep.drills.event_sourcing import reference as es
from redisprep.drills.model import DataTable, DrillReport
from redisprep.errors import BackendUnsupportedError


def test_crashed_consumer_is_recovered_with_no_event_lost(ctx: DrillContext) -> None:
    result = checks.crash_recovery.run(ctx, es)
    m = result.measured
    assert (m["pending_before"], m["pending_after"], m["claimed"], m["lost"]) == (10, 0, 10, 0)
    assert m["claimed_too_early"] == 0  # the one-minute min-idle sweep left fresh entries alone
    assert m["projection_equal"] is True


def test_consumer_that_never_reclaims_loses_the_crashed_consumers_events(ctx: DrillContext) -> None:
    result = checks.crash_recovery.run(ctx, variants.NO_RECLAIM)
    assert not result.passed
    assert (result.measured["pending_after"], result.measured["lost"]) == (10, 10)
    assert result.measured["projection_equal"] is False
    assert "never reclaims" in (result.pitfall or "") and "XAUTOCLAIM" in (result.pitfall or "")


def test_consumer_that_never_acks_leaves_everything_pending(ctx: DrillContext) -> None:
    acked = checks.acked.run(ctx, variants.NO_ACK)
    assert not acked.passed
    assert acked.measured["pending"] == workload.EVENTS
    assert "never acks" in (acked.pitfall or "")
    crash = checks.crash_recovery.run(ctx, variants.NO_ACK)
    assert not crash.passed
    # Nothing is lost, but the PEL never empties and the sweep applies B's entries a second time.
    assert (crash.measured["pending_after"], crash.measured["lost"]) == (workload.EVENTS, 0)
    assert crash.measured["projection_equal"] is False
    assert "never acks" in (crash.pitfall or "")


def test_unguarded_apply_counts_every_delivery(ctx: DrillContext) -> None:
    result = checks.redelivery_once.run(ctx, variants.UNGUARDED)
    assert not result.passed
    assert result.measured["applied_times"] == 3  # B's claimed copy, A's late copy, a retry
    assert "idempotent" in (result.pitfall or "")


def test_inclusive_tail_applies_the_snapshots_last_event_twice(ctx: DrillContext) -> None:
    result = checks.snapshot_tail.run(ctx, variants.INCLUSIVE_TAIL)
    assert not result.passed
    sixtieth = workload.make_events(ctx.fork_rng("snap"), workload.EVENTS)[59]
    assert result.measured["off_by"] == es.delta(sixtieth)
    reference = checks.snapshot_tail.run(ctx, es)
    assert reference.measured["off_by"] == 0
    assert reference.measured["trimmed_replay_equal"] is False  # history is gone after the trim


def test_apply_acks_and_applies_once(ctx: DrillContext) -> None:
    stream, projection = workload.keys(ctx, "once")
    es.append(ctx.r, stream, {"type": "withdraw", "account": "acct:bob", "amount": "30"})
    es.create_group(ctx.r, stream, "g")
    es.create_group(ctx.r, stream, "g")  # idempotent
    (entry,) = es.read(ctx.r, stream, "g", "c", 10)
    assert es.apply(ctx.r, stream, "g", projection, entry) is True
    assert es.apply(ctx.r, stream, "g", projection, entry) is False
    assert ctx.r.hget(projection, "acct:bob") == "-30"
    assert ctx.r.xpending(stream, "g")["pending"] == 0


def test_replay_pages_through_more_than_one_page(ctx: DrillContext) -> None:
    stream, _ = workload.keys(ctx, "pages")
    events = workload.make_events(ctx.fork_rng("pages"), es.REPLAY_PAGE * 2 + 3)
    workload.seed_log(ctx, stream, events)
    state, last = es.replay(ctx.r, stream)
    assert workload.nonzero(state) == workload.truth_of(events)
    assert last == ctx.r.xrevrange(stream, count=1)[0][0]
    middle = ctx.r.xrange(stream, count=es.REPLAY_PAGE)[-1][0]
    head, _ = es.replay(ctx.r, stream, after=None)
    tail, _ = es.replay(ctx.r, stream, after=middle, state=workload.truth_of(events[: es.REPLAY_PAGE]))
    assert workload.nonzero(tail) == workload.nonzero(head)


def test_claim_reports_pending_entries_whose_payload_was_trimmed(ctx: DrillContext) -> None:
    stream, _ = workload.keys(ctx, "gone")
    workload.seed_log(ctx, stream, workload.make_events(ctx.fork_rng("gone"), 30))
    es.create_group(ctx.r, stream, "g")
    held = [entry_id for entry_id, _ in es.read(ctx.r, stream, "g", "A", 5)]
    ctx.r.xtrim(stream, maxlen=10, approximate=False)
    cursor, entries, deleted = es.claim(ctx.r, stream, "g", "B", 0)
    assert (cursor, entries, deleted) == ("0-0", [], held)
    # Redis 7.0 drops them from the PEL itself; on 6.2 claim acks them.
    assert ctx.r.xpending(stream, "g")["pending"] == 0


def test_retention_floor_keeps_what_a_group_still_needs(ctx: DrillContext) -> None:
    stream, _ = workload.keys(ctx, "floor")
    workload.seed_log(ctx, stream, workload.make_events(ctx.fork_rng("floor"), 20))
    ids = [entry_id for entry_id, _ in ctx.r.xrange(stream)]
    es.create_group(ctx.r, stream, "fast")
    es.create_group(ctx.r, stream, "slow")
    es.ack(ctx.r, stream, "fast", [i for i, _ in es.read(ctx.r, stream, "fast", "f", 20)])
    es.read(ctx.r, stream, "slow", "s", 5)
    es.ack(ctx.r, stream, "slow", ids[:3])
    assert es.retention_floor(ctx.r, stream) == ids[3]  # the slow group's oldest pending entry
    es.ack(ctx.r, stream, "slow", ids[3:5])
    assert es.retention_floor(ctx.r, stream) == es.next_id(ids[4])  # its next undelivered entry
    assert es.retention_floor(ctx.r, stream, snapshot_id=ids[1]) == es.next_id(ids[1])


def test_approximate_maxlen_frees_whole_nodes_on_both_backends(ctx: DrillContext) -> None:
    stream, _ = workload.keys(ctx, "cap")
    for event in workload.make_events(ctx.fork_rng("cap"), 250):
        es.append(ctx.r, stream, event, maxlen=100)
    assert ctx.r.xlen(stream) == 150  # nodes of 100 entries: the partly needed second node stays


def test_an_empty_autoclaim_registers_the_consumer_where_the_drill_says(
    ctx: DrillContext, backend: Backend
) -> None:
    """The crash step's narration: Redis 6.2 and 7.0 leave no trace of an empty sweep; Valkey 8.1
    (measured) and fakeredis register the claiming consumer anyway."""
    stream, _ = workload.keys(ctx, "consumers")
    es.append(ctx.r, stream, {"type": "deposit", "account": "a", "amount": "1"})
    es.create_group(ctx.r, stream, "g")
    es.read(ctx.r, stream, "g", "A", 1)
    es.claim(ctx.r, stream, "g", "Z", 60_000)
    names = [c["name"] for c in ctx.r.xinfo_consumers(stream, "g")]
    registers = backend.is_simulated or backend.release.family == "valkey"
    assert names == (["A", "Z"] if registers else ["A"])


def _figures(report: DrillReport) -> list[tuple[str, Any]]:
    return [(f.title, f.rows) for s in report.steps for f in s.outcome.figures if isinstance(f, DataTable)]


def test_drill_run_is_deterministic_measured_and_leaves_no_keys(backend: Backend) -> None:
    first = run_drill("event-sourcing", backend, seed=11)
    second = run_drill("event-sourcing", backend, seed=11)
    assert first.ok and second.ok, [c.message for c in first.checks if not c.as_expected]
    assert _figures(first) == _figures(second)
    assert [c.message for c in first.checks] == [c.message for c in second.checks]
    assert list(backend.client().scan_iter(match="redisprep:*")) == []
    costs = {c.operation: c for c in first.costs}
    for op, command in (
        ("append", "XADD"),
        ("read", "XREADGROUP"),
        ("apply + ack", "EVAL"),
        ("claim", "XAUTOCLAIM"),
    ):
        assert costs[op].commands == (command,)
        assert costs[op].round_trips_per_call == 1
    assert costs["claim"].complexity == ("O(1) if COUNT is small.",)
    # Redis 6.2's reply has no list of trimmed ids: claim asks XPENDING for them (one more trip).
    assert costs["claim after a trim"].commands[0] == "XAUTOCLAIM"
    _assert_tables_agree_with_checks(first)
    retention = next(f for f in _figures(first) if f[0].startswith("retention"))[1]
    assert [(row[0], row[-1]) for row in retention] == [
        ("trim (exact MAXLEN 20)", 10),
        ("trim to retention floor", 0),
    ]


def _assert_tables_agree_with_checks(report: DrillReport) -> None:
    """The snapshot and redelivery steps show the same log and story their checks ran."""
    steps = {s.title: s.outcome for s in report.steps}
    snap = steps["Snapshots: state + tail replay"]
    (table,) = snap.figures
    assert isinstance(table, DataTable)
    naive, reference = snap.checks
    tail = workload.EVENTS - workload.SNAPSHOT_AT
    assert [row[2] for row in table.rows] == [workload.EVENTS, tail, tail + 1]
    assert [row[4] for row in table.rows[1:]] == [
        f"{reference.measured['off_by']:+d}",
        f"{naive.measured['off_by']:+d}",
    ]
    assert f"reports the same {naive.measured['off_by']:+d}" in " ".join(snap.narration)
    assert f"snapshot at {workload.SNAPSHOT_AT} + tail of {tail}" in naive.message
    retry = steps["At-least-once: redelivery without double counting"]
    (table,) = retry.figures
    assert isinstance(table, DataTable)
    unguarded, guarded = retry.checks
    m = guarded.measured
    assert unguarded.measured["delivered"] == m["delivered"] == 2  # A's read and B's claim
    assert table.title.endswith(f"delivered {m['delivered']} times, handed to apply {m['handed']} times")
    assert [row[2] for row in table.rows] == [m["balance"]] * len(table.rows) and len(table.rows) == m[
        "handed"
    ]
    assert f"`XPENDING` reports {m['delivered']} for the entry" in " ".join(retry.narration)
    assert f"ends with balance {unguarded.measured['balance']}" in " ".join(retry.narration)


def test_a_server_older_than_6_2_is_refused_in_one_line() -> None:
    old = dataclasses.replace(connect(None), version=(6, 0, 9))
    with pytest.raises(BackendUnsupportedError, match=r"needs Redis 6.2 or later \(XAUTOCLAIM, "):
        run_drill("event-sourcing", old)
    assert list(old.client().scan_iter(match="redisprep:*")) == []


def test_cli_lists_event_sourcing_among_use_cases(invoke: Any) -> None:
    result = invoke("drill", "list", catch=False)
    use_cases = result.stdout.split("Use cases", 1)[1].split("Data structures", 1)[0]
    assert "event-sourcing" in use_cases


def test_cli_explain_shows_xautoclaim_with_its_cost(invoke: Any) -> None:
    result = invoke("drill", "event-sourcing", "--explain", "--seed", "2", catch=False)
    assert result.exit_code == 0, result.stderr
    assert "XAUTOCLAIM" in result.stdout and "O(1) if COUNT is small." in result.stdout
    assert f"10 of {workload.EVENTS} events lost" in result.stdout  # the consumer that never reclaims
    assert f"0 of {workload.EVENTS} events lost" in result.stdout
