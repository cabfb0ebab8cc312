"""The narrated steps of the pubsub-vs-streams drill: one workload on both transports, side by side."""

from __future__ import annotations

from typing import Any

from redisprep.drills import _pubsub as pubsub
from redisprep.drills import _streams as es
from redisprep.drills._pubsub import Subscriber, subscribers
from redisprep.drills.context import DrillContext
from redisprep.drills.model import CheckResult, DataTable, Step, StepOutcome
from redisprep.drills.pubsub_vs_streams import checks
from redisprep.drills.pubsub_vs_streams import reference as stream_feed
from redisprep.drills.pubsub_vs_streams.channels import costs, pattern_subscriptions

FEEDS: tuple[tuple[str, Any], ...] = (("Pub/Sub", pubsub), ("stream", stream_feed))
WORK = 100
CRASH_AFTER, DELIVERED = 2, 5
"""The handler crashes after finishing 2 of the 5 messages it was given."""


def _both(ctx: DrillContext, check: Any, pubsub_fails: bool) -> tuple[CheckResult, CheckResult]:
    lossy = checks.labelled(check.run(ctx, pubsub), "Pub/Sub")
    kept = checks.labelled(check.run(ctx, stream_feed), "stream")
    return (lossy.expecting_failure() if pubsub_fails else lossy), kept


def fan_out(ctx: DrillContext) -> StepOutcome:
    messages = checks.fanout_messages(ctx)  # the check's messages: the table and the checks agree
    rows = []
    for name, feed in FEEDS:
        topic = ctx.key("feed", "demo", name.lower().replace("/", ""))
        subs: list[Any] = []
        try:
            for i in range(checks.SUBSCRIBERS):
                subs.append(feed.subscribe(ctx.r, topic, f"sub{i}"))
            replies = []
            for message in messages:
                with ctx.tracer.operation(f"publish ({name})"):
                    replies.append(feed.publish(ctx.r, topic, message))
            got = []
            for sub in subs:
                with ctx.tracer.operation(f"receive ({name})"):
                    got.append(len(feed.receive(ctx.r, sub)))
        finally:
            for s in subs:
                feed.close(ctx.r, s)
        reply = "the new entry's id"
        if feed is pubsub:
            low, high = min(replies), max(replies)
            reply = f"{low if low == high else f'{low} to {high}'} (subscribers reached)"
        rows.append((name, len(messages), reply, ", ".join(map(str, got))))
    return StepOutcome(
        narration=(
            "One workload, two transports. On Pub/Sub, `PUBLISH channel message` pushes the message to "
            "every connection subscribed at that moment and answers how many it reached. On a stream, "
            "`XADD` stores the message once and each subscriber is its own consumer group with its own "
            "position, reading with `XREADGROUP ... >` and acknowledging with `XACK`.",
            f"Both fan out: {checks.SUBSCRIBERS} subscribers and {len(messages)} messages, the same "
            "messages the checks below publish, and every subscriber gets every message, in order. "
            "A subscriber needs its own connection for Pub/Sub (`client.pubsub()`); here it is read "
            "in the same thread, up to the reply of a `PING` sent behind the messages, so no listener "
            "thread exists and nothing sleeps. Those subscriber-side commands (`SUBSCRIBE`, `PING`, "
            "`UNSUBSCRIBE`) are not in the trace; `PUBLISH` goes through the normal, traced client.",
        ),
        figures=(
            DataTable(
                f"{checks.SUBSCRIBERS} subscribers, {len(messages)} messages",
                ("transport", "published", "each publish answers", "received per subscriber"),
                tuple(rows),
            ),
        ),
        checks=_both(ctx, checks.fan_out, pubsub_fails=False),
    )


def offline(ctx: DrillContext) -> StepOutcome:
    results = _both(ctx, checks.offline_catch_up, pubsub_fails=True)
    rows = tuple(
        (name, r.measured["published"], r.measured["received_online"], r.measured["received_offline"])
        for (name, _), r in zip(FEEDS, results, strict=True)
    )
    return StepOutcome(
        narration=(
            f"Subscriber B goes offline for {checks.OFFLINE} of {checks.TOTAL} "
            "messages, then comes back. Pub/Sub is at-most-once and stores nothing: while B had no "
            "connection the server had nobody to give those messages to, and `PUBLISH` simply "
            "answered one subscriber fewer. B never learns what it missed.",
            "The stream kept them. B's consumer group still points at the last entry B was given, so "
            "`XREADGROUP ... >` on reconnect returns exactly the missed messages, then the new ones.",
        ),
        figures=(
            DataTable("offline for a while", ("transport", "published", "always-on got", "B got"), rows),
        ),
        checks=results,
    )


def late_join(ctx: DrillContext) -> StepOutcome:
    results = _both(ctx, checks.late_join_replay, pubsub_fails=True)
    rows = tuple(
        (name, r.measured["published"], r.measured["received"])
        for (name, _), r in zip(FEEDS, results, strict=True)
    )
    return StepOutcome(
        narration=(
            "A new service joins halfway and wants the history. Pub/Sub has none to give. A stream "
            "does: create the group at `0` (or `XRANGE stream - +`) and it reads every entry still "
            "in the stream, then continues live. That is the property event sourcing rests on: "
            "see `redisprep drill event-sourcing` for projections rebuilt by replay and snapshots.",
        ),
        figures=(DataTable("joined after 50", ("transport", "published", "late subscriber got"), rows),),
        checks=results,
    )


def _pubsub_handler_crash(ctx: DrillContext, topic: str, messages: list[str]) -> tuple[int, int, int]:
    with subscribers(Subscriber(ctx.r, channels=(topic,))) as (sub,):
        for message in messages:
            pubsub.publish(ctx.r, topic, message)
        delivered = len(sub.drain())
    # The handler died after CRASH_AFTER; the connection closed with it. Nothing can be asked again.
    with subscribers(Subscriber(ctx.r, channels=(topic,))) as (again,):
        recovered = len(again.drain())
    return delivered, CRASH_AFTER, recovered


def _stream_handler_crash(ctx: DrillContext, topic: str, messages: list[str]) -> tuple[int, int, int]:
    es.create_group(ctx.r, topic, "worker", "$")
    for message in messages:
        stream_feed.publish(ctx.r, topic, message)
    batch = es.read(ctx.r, topic, "worker", "w1", DELIVERED)
    es.ack(ctx.r, topic, "worker", [entry_id for entry_id, _ in batch[:CRASH_AFTER]])
    # Restarted, w1 first reads its own pending entries (id 0), then would go back to `>`.
    pending = es.read_pending(ctx.r, topic, "worker", "w1", DELIVERED)
    es.ack(ctx.r, topic, "worker", [entry_id for entry_id, _ in pending])
    return len(batch), CRASH_AFTER, len(pending)


def delivery(ctx: DrillContext) -> StepOutcome:
    messages = checks.make_messages(ctx.fork_rng("crash"), DELIVERED)
    rows = []
    for name, run in (("Pub/Sub", _pubsub_handler_crash), ("stream", _stream_handler_crash)):
        got, done, recovered = run(ctx, ctx.key("feed", "crash", name.lower().replace("/", "")), messages)
        rows.append((name, got, done, recovered, got - done - recovered))
    return StepOutcome(
        narration=(
            f"A handler takes {DELIVERED} messages, finishes {CRASH_AFTER} and crashes. On Pub/Sub "
            "'delivered' only means 'written to the socket': there is no acknowledgement, so the "
            f"other {DELIVERED - CRASH_AFTER} are simply gone (at most once).",
            "On a stream they were never acknowledged, so they stay in the group's pending list. The "
            "restarted consumer reads its own pending entries with `XREADGROUP ... STREAMS stream 0` "
            "before going back to `>` (at least once; make the handler idempotent). If the consumer "
            "never comes back, another one claims them with `XAUTOCLAIM`: `redisprep drill "
            "event-sourcing` shows that recovery and the check that catches a consumer that never "
            "acks or never reclaims.",
        ),
        figures=(
            DataTable(
                "handler crash",
                ("transport", "delivered", "handled", "recovered after restart", "lost"),
                tuple(rows),
            ),
        ),
    )


def work_sharing(ctx: DrillContext) -> StepOutcome:
    messages = checks.make_messages(ctx.fork_rng("work"), WORK)
    channel, stream = ctx.key("feed", "work", "pubsub"), ctx.key("feed", "work", "stream")
    with subscribers(*(Subscriber(ctx.r, channels=(channel,)) for _ in range(2))) as subs:
        for message in messages:
            pubsub.publish(ctx.r, channel, message)
        by_sub = [len(s.drain()) for s in subs]
    es.create_group(ctx.r, stream, "workers", "$")
    for message in messages:
        stream_feed.publish(ctx.r, stream, message)
    by_worker = [0, 0]
    for turn in range(WORK):
        batch = es.read(ctx.r, stream, "workers", f"w{turn % 2 + 1}", 10)
        if not batch:
            break
        es.ack(ctx.r, stream, "workers", [entry_id for entry_id, _ in batch])
        by_worker[turn % 2] += len(batch)
    rows: tuple[tuple[str | int, ...], ...] = (
        ("Pub/Sub", *by_sub, sum(by_sub)),
        ("stream, one group", *by_worker, sum(by_worker)),
    )
    return StepOutcome(
        narration=(
            "To spread work, two workers share one consumer group: `XREADGROUP GROUP workers w1 ...` "
            "and `... w2 ...` each get different entries, and every entry is handled by exactly one "
            "of them. Fan-out (one group per service) and load balancing (many consumers in a group) "
            "combine freely.",
            f"Pub/Sub has no such thing: both subscribers receive all {WORK} messages, so the work is "
            "done twice unless the subscribers split it among themselves.",
        ),
        figures=(
            DataTable(
                f"{WORK} jobs, 2 workers", ("transport", "worker 1", "worker 2", "handled in total"), rows
            ),
        ),
    )


STEPS = (
    Step("Fan-out: every subscriber gets every message", fan_out),
    Step("A subscriber goes offline", offline),
    Step("A late joiner wants the history", late_join),
    Step("At most once vs at least once", delivery),
    Step("Sharing work: consumer groups", work_sharing),
    Step("Pattern subscriptions", pattern_subscriptions),
    Step("What each keeps, and what it costs", costs),
)
