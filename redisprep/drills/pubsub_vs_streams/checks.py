"""Checks of the pubsub-vs-streams drill; each runs one workload against any implementation of the feed
interface (:mod:`redisprep.drills._pubsub` and this drill's :mod:`.reference` both have it).
"""

from __future__ import annotations

import dataclasses
import random
from typing import Any

from redisprep.drills.check_helpers import Verdict, check, verdict
from redisprep.drills.context import DrillContext
from redisprep.drills.model import CheckResult

SUBSCRIBERS = 3
FANOUT = 30
"""Messages the fan-out check publishes (the drill's fan-out step publishes the same ones)."""
BEFORE, OFFLINE, AFTER = 40, 30, 30
"""Messages published before the subscriber goes offline, while it is offline, after it is back."""
TOTAL = BEFORE + OFFLINE + AFTER


def make_messages(rng: random.Random, count: int, start: int = 0) -> list[str]:
    """Order events as text: ``order-007:eu:120``."""
    regions = ("eu", "us", "ap")
    return [f"order-{start + i:03d}:{rng.choice(regions)}:{rng.randrange(5, 500, 5)}" for i in range(count)]


def fanout_messages(ctx: DrillContext) -> list[str]:
    """The fan-out check's messages, the same on every call with the run's seed."""
    return make_messages(ctx.fork_rng("fanout"), FANOUT)


def labelled(result: CheckResult, transport: str) -> CheckResult:
    """``result`` with the transport it ran on named in front of its message."""
    return dataclasses.replace(result, message=f"{transport}: {result.message}")


def _publish_all(ctx: DrillContext, feed: Any, topic: str, messages: list[str]) -> None:
    for message in messages:
        feed.publish(ctx.r, topic, message)


@check("pubsub-vs-streams.fan_out", "every subscriber gets every message")
def fan_out(ctx: DrillContext, feed: Any) -> Verdict:
    """Three subscribers online throughout; each must get all messages, in publishing order."""
    topic = ctx.key("feed", "fanout")
    messages = fanout_messages(ctx)
    subs: list[Any] = []
    try:
        for i in range(SUBSCRIBERS):
            subs.append(feed.subscribe(ctx.r, topic, f"sub{i}"))
        _publish_all(ctx, feed, topic, messages)
        got = [feed.receive(ctx.r, sub) for sub in subs]
    finally:
        for sub in subs:
            feed.close(ctx.r, sub)
    counts = [len(g) for g in got]
    ok = all(g == messages for g in got)
    return verdict(
        ok,
        f"{SUBSCRIBERS} subscribers received {', '.join(map(str, counts))} of {len(messages)}, in order"
        if ok
        else f"received {counts} of {len(messages)} each (or out of order)",
        pitfall="fan-out needs one reader position per subscriber: one consumer group (or one last-seen "
        "id) per subscriber, not one group shared by all",
        published=len(messages),
        received=", ".join(map(str, counts)),
        min_received=min(counts),
    )


@check("pubsub-vs-streams.offline_catch_up", "a subscriber that was offline catches up")
def offline_catch_up(ctx: DrillContext, feed: Any) -> Verdict:
    """B goes offline for the middle 30 of 100 messages; when it is back it must have all 100."""
    topic = ctx.key("feed", "offline")
    rng = ctx.fork_rng("offline")
    before = make_messages(rng, BEFORE)
    during = make_messages(rng, OFFLINE, BEFORE)
    after = make_messages(rng, AFTER, BEFORE + OFFLINE)
    subs = []
    try:
        a = feed.subscribe(ctx.r, topic, "always-on")
        subs.append(a)
        b = feed.subscribe(ctx.r, topic, "restarts")
        subs.append(b)
        _publish_all(ctx, feed, topic, before)
        got_b = feed.receive(ctx.r, b)
        feed.disconnect(ctx.r, b)
        _publish_all(ctx, feed, topic, during)
        feed.reconnect(ctx.r, b)
        _publish_all(ctx, feed, topic, after)
        got_a = feed.receive(ctx.r, a)
        got_b += feed.receive(ctx.r, b)
    finally:
        for sub in subs:
            feed.close(ctx.r, sub)
    everything = before + during + after
    missed = len(set(everything) - set(got_b))
    ok = got_a == everything and got_b == everything
    return verdict(
        ok,
        f"published {len(everything)}: the always-on subscriber got {len(got_a)}, the one offline "
        f"for {OFFLINE} got {len(got_b)} ({missed} missed)",
        pitfall="Pub/Sub delivers at most once, to whoever is connected at that moment: a subscriber "
        "that was offline never sees what it missed; read a stream from the group's position instead",
        published=len(everything),
        received_online=len(got_a),
        received_offline=len(got_b),
        missed=missed,
    )


@check("pubsub-vs-streams.late_join_replay", "a subscriber that joins late can replay history")
def late_join_replay(ctx: DrillContext, feed: Any) -> Verdict:
    """C subscribes after 50 messages, asking for the history; it must end with all 100."""
    topic = ctx.key("feed", "late")
    rng = ctx.fork_rng("late")
    early = make_messages(rng, 50)
    later = make_messages(rng, 50, 50)
    subs = []
    try:
        # Something must exist for the stream to exist before anyone joins; Pub/Sub needs nothing.
        _publish_all(ctx, feed, topic, early)
        c = feed.subscribe(ctx.r, topic, "late", from_start=True)
        subs.append(c)
        _publish_all(ctx, feed, topic, later)
        got = feed.receive(ctx.r, c)
    finally:
        for sub in subs:
            feed.close(ctx.r, sub)
    everything = early + later
    ok = got == everything
    return verdict(
        ok,
        f"joined after {len(early)} of {len(everything)} messages and received {len(got)}",
        pitfall="Pub/Sub keeps no history, so a late subscriber cannot replay; a stream keeps its "
        "entries (create the group at 0, or XRANGE from the start)",
        published=len(everything),
        received=len(got),
    )


CHECKS = (fan_out, offline_catch_up, late_join_replay)
