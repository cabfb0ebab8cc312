"""The pubsub-vs-streams drill: the same workload on both, Pub/Sub losing what the drill says it loses."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from redisprep.backends import Backend, delete_namespace
from redisprep.drills import _pubsub as pubsub
from redisprep.drills import get_drill, run_drill
from redisprep.drills._pubsub import Subscriber
from redisprep.drills.context import DrillContext
from redisprep.drills.model import DataTable
from redisprep.drills.pubsub_vs_streams import checks
from redisprep.drills.pubsub_vs_streams import reference as stream_feed


@pytest.fixture
def ctx(backend: Backend) -> Iterator[DrillContext]:
    context = DrillContext.create(backend, seed=5)
    yield context
    delete_namespace(backend.client(), context.ns)


@pytest.mark.parametrize("check", get_drill("pubsub-vs-streams").drill.checks, ids=lambda c: c.id)
def test_stream_feed_passes_every_check(ctx: DrillContext, check: Any) -> None:
    result = check.run(ctx, stream_feed)
    assert result.passed, result.message


def test_pubsub_fans_out_to_everyone_connected(ctx: DrillContext) -> None:
    result = checks.fan_out.run(ctx, pubsub)
    assert result.passed, result.message


def test_pubsub_subscriber_misses_what_was_published_while_offline(ctx: DrillContext) -> None:
    result = checks.offline_catch_up.run(ctx, pubsub)
    assert not result.passed
    m = result.measured
    assert (m["published"], m["received_online"], m["received_offline"], m["missed"]) == (100, 100, 70, 30)
    assert "at most once" in (result.pitfall or "")


def test_pubsub_late_joiner_gets_no_history(ctx: DrillContext) -> None:
    result = checks.late_join_replay.run(ctx, pubsub)
    assert not result.passed
    assert (result.measured["published"], result.measured["received"]) == (100, 50)


def test_pattern_subscription_sees_matching_channels_only(ctx: DrillContext) -> None:
    eu, us, pay = (ctx.key("t", name) for name in ("orders.eu", "orders.us", "payments.eu"))
    with Subscriber(ctx.r, patterns=(ctx.key("t", "orders.*"),)) as sub:
        assert [pubsub.publish(ctx.r, ch, "x") for ch in (eu, us, pay)] == [1, 1, 0]
        got = sub.drain()
    assert [(m.channel, m.pattern) for m in got] == [
        (eu, ctx.key("t", "orders.*")),
        (us, ctx.key("t", "orders.*")),
    ]


def test_closed_subscribers_leave_no_subscription_and_no_thread(ctx: DrillContext) -> None:
    threads = threading.active_count()
    sub = Subscriber(ctx.r, channels=(ctx.key("t", "a"),), patterns=(ctx.key("t", "b*"),))
    assert ctx.r.pubsub_numsub(ctx.key("t", "a")) == [(ctx.key("t", "a"), 1)]
    sub.close()
    sub.close()  # twice is harmless
    assert ctx.r.pubsub_numsub(ctx.key("t", "a")) == [(ctx.key("t", "a"), 0)]
    assert ctx.r.pubsub_numpat() == 0
    assert pubsub.publish(ctx.r, ctx.key("t", "a"), "anyone?") == 0
    assert threading.active_count() == threads


def test_fakeredis_keeps_a_closed_connections_patterns_redis_does_not(
    ctx: DrillContext, backend: Backend
) -> None:
    raw = ctx.r.pubsub()
    raw.psubscribe(ctx.key("t", "p*"))
    assert raw.get_message(timeout=2)["type"] == "psubscribe"
    raw.close()  # without PUNSUBSCRIBE
    if backend.is_simulated:
        assert ctx.r.pubsub_numpat() == 1  # why Subscriber.close() unsubscribes before closing
    else:
        # Redis drops the subscription when its event loop notices the closed socket.
        deadline = time.monotonic() + 2
        while ctx.r.pubsub_numpat() != 0 and time.monotonic() < deadline:
            time.sleep(0.005)
        assert ctx.r.pubsub_numpat() == 0


def test_drill_run_is_deterministic_and_leaves_nothing(backend: Backend) -> None:
    threads = threading.active_count()
    first = run_drill("pubsub-vs-streams", backend, seed=9)
    second = run_drill("pubsub-vs-streams", backend, seed=9)
    assert first.ok and second.ok

    def figures(report: Any) -> list[Any]:
        return [
            (f.title, f.rows) for s in report.steps for f in s.outcome.figures if isinstance(f, DataTable)
        ]

    assert figures(first) == figures(second)
    table = {f[0]: f[1] for f in figures(first)}
    assert table["offline for a while"] == (("Pub/Sub", 100, 100, 70), ("stream", 100, 100, 100))
    # The fan-out table shows the messages its checks published, with the same counts.
    fan_out = first.steps[0].outcome
    shown = {row[0]: (row[1], row[3]) for row in table[f"3 subscribers, {checks.FANOUT} messages"]}
    assert shown == {
        c.message.split(":", 1)[0]: (c.measured["published"], c.measured["received"]) for c in fan_out.checks
    }
    assert shown["Pub/Sub"] == (checks.FANOUT, ", ".join([str(checks.FANOUT)] * checks.SUBSCRIBERS))
    assert table["handler crash"] == (("Pub/Sub", 5, 2, 0, 3), ("stream", 5, 2, 3, 0))
    assert table["100 jobs, 2 workers"] == (("Pub/Sub", 100, 100, 200), ("stream, one group", 50, 50, 100))
    assert list(backend.client().scan_iter(match="redisprep:*")) == []
    assert backend.client().pubsub_channels("redisprep:*") == []
    assert threading.active_count() == threads
    costs = {c.operation: c for c in first.costs}
    assert costs["publish (Pub/Sub)"].commands == ("PUBLISH",)
    assert costs["publish (stream)"].round_trips_per_call == 1


def test_drill_list_shows_it_apart_from_the_use_cases(invoke: Any) -> None:
    result = invoke("drill", "list", catch=False)
    data_structures = result.stdout.split("Data structures", 1)[1]
    assert "pubsub-vs-streams" in data_structures
    assert "pubsub-vs-streams" not in result.stdout.split("Data structures", 1)[0]
