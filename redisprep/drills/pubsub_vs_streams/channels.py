"""The pattern-subscription and cost steps of the pubsub-vs-streams drill."""

from __future__ import annotations

from redisprep.drills import _pubsub as pubsub
from redisprep.drills import _streams as es
from redisprep.drills._pubsub import Subscriber, subscribers
from redisprep.drills.context import DrillContext
from redisprep.drills.model import DataTable, StepOutcome
from redisprep.drills.pubsub_vs_streams import checks
from redisprep.knowledge.commands import command_doc

CHANNELS = ("orders.eu", "orders.us", "payments.eu")
KEPT = 100


def pattern_subscriptions(ctx: DrillContext) -> StepOutcome:
    # One hash tag: the XREAD below names two of these streams, and a cluster needs them in one slot.
    names = {short: ctx.key("feed", "{shop}", short) for short in CHANNELS}
    pattern = ctx.key("feed", "{shop}", "orders.*")
    with subscribers(
        Subscriber(ctx.r, patterns=(pattern,), name="all orders"),
        Subscriber(ctx.r, channels=(names["orders.eu"],), name="eu orders"),
    ) as subs:
        replies = {}
        for short, channel in names.items():
            with ctx.tracer.operation("publish (Pub/Sub)"):
                replies[short] = pubsub.publish(ctx.r, channel, f"hello {short}")
        got = [sub.drain() for sub in subs]
    rows = tuple(
        (
            short,
            replies[short],
            sum(m.channel == names[short] for m in got[0]),
            sum(m.channel == names[short] for m in got[1]),
        )
        for short in CHANNELS
    )
    # Streams have no wildcard: a reader names every stream it wants, each with its own position.
    streams = {names[s]: "0" for s in CHANNELS[:2]}
    for stream in streams:
        es.append(ctx.r, stream, {"body": "hello"})
    with ctx.tracer.operation("read several streams (XREAD)"):
        reply = ctx.r.xread(streams, count=10)
    return StepOutcome(
        narration=(
            "`PSUBSCRIBE orders.*` listens to every channel whose name matches a glob pattern, "
            "including channels nobody had thought of when it subscribed; the message arrives with "
            "the pattern and the actual channel. `PUBLISH` counts a pattern match as a receiver, and "
            "pays for it: its cost is O(N+M), M being every pattern subscription on the server, "
            "matched against every published channel name.",
            "Streams have no wildcard. A reader names each stream it wants, with a position for each: "
            f"`XREAD COUNT 10 STREAMS orders.eu orders.us 0 0` returned entries from {len(reply)} "
            "streams in one call. Channels are not keys (no database, no TTL, invisible to SCAN); "
            "the drill still puts its run prefix in their names.",
            "Closing a subscriber's connection ends its subscriptions on Redis. The embedded "
            "fakeredis keeps pattern subscriptions of a closed connection (`PUBSUB NUMPAT` stays 1), "
            "so the drill always unsubscribes and waits for the confirmation before closing.",
        ),
        figures=(
            DataTable(
                "PSUBSCRIBE orders.* next to SUBSCRIBE orders.eu",
                ("published to", "PUBLISH reply", "pattern subscriber got", "channel subscriber got"),
                rows,
            ),
        ),
    )


def costs(ctx: DrillContext) -> StepOutcome:
    stream = ctx.key("feed", "kept")
    for message in checks.make_messages(ctx.fork_rng("kept"), KEPT):
        with ctx.tracer.operation("publish (stream)"):
            es.append(ctx.r, stream, {"body": message})
    length = int(ctx.r.xlen(stream))
    if ctx.backend.is_simulated:
        memory = "(`MEMORY USAGE` would say how many bytes; the embedded fakeredis has no MEMORY command)"
    else:
        memory = f"and `MEMORY USAGE` reports {int(ctx.r.memory_usage(stream) or 0):,} bytes for them"
    xadd, publish = command_doc("XADD"), command_doc("PUBLISH")
    return StepOutcome(
        narration=(
            f"What a stream keeps, it pays for in memory: {KEPT} short messages give `XLEN` {length} "
            f"{memory}. Retention is yours to bound (`MAXLEN ~`, `MINID ~`); Pub/Sub keeps "
            "nothing and costs nothing at rest.",
            f'`XADD` is documented as "{xadd.complexity if xadd else "?"}"; `PUBLISH` as '
            f'"{publish.complexity if publish else "?"}". A Pub/Sub subscriber that reads too '
            "slowly is not kept waiting for: Redis disconnects it once its output buffer passes the "
            "`client-output-buffer-limit pubsub` setting (32 MB hard, or 8 MB for 60 s, by default), "
            "and it loses whatever was queued. A slow stream consumer just falls behind (`XINFO "
            "GROUPS` shows its lag).",
            "Use Pub/Sub for signals that are worthless once late: cache invalidation, presence, "
            "'something changed, go and look'. Use a stream when a message must not be lost, must "
            "be replayable or must be shared out among workers. In a cluster, `PUBLISH` is "
            "broadcast to every node; sharded Pub/Sub (`SPUBLISH`, Redis 7.0+) keeps a channel on "
            "its slot's shard.",
        ),
        figures=(
            DataTable(
                "kept on the server", ("transport", "messages stored"), (("Pub/Sub", 0), ("stream", length))
            ),
        ),
    )
