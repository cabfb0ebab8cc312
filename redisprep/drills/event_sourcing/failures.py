"""The narrated failure steps of the event-sourcing drill: crashes, redelivery, trimming and Pub/Sub."""

from __future__ import annotations

from redisprep.drills import _pubsub as pubsub
from redisprep.drills.context import DrillContext
from redisprep.drills.event_sourcing import checks, variants, workload
from redisprep.drills.event_sourcing import reference as es
from redisprep.drills.event_sourcing.scenario import GROUP, append_all, crash_consumer, ledger, sweep
from redisprep.drills.model import DataTable, StepOutcome
from redisprep.drills.pubsub_vs_streams import checks as feed_checks
from redisprep.drills.pubsub_vs_streams import reference as stream_feed
from redisprep.knowledge.commands import command_doc

IDLE_THRESHOLD_MS = 60_000
CAPPED_EVENTS, CAP = 250, 100


def _totals(ctx: DrillContext, stream: str, projection: str) -> tuple[int, int]:
    """Sum of the live balances and of the balances the log adds up to."""
    return sum(workload.balances(ctx, projection).values()), sum(workload.truth(ctx, stream).values())


def crash(ctx: DrillContext) -> StepOutcome:
    stream, proj, _ = ledger(ctx)
    append_all(ctx, stream, workload.make_events(ctx.fork_rng("crash"), workload.EVENTS))
    stranded, by_b = crash_consumer(ctx, stream, proj)
    rows = [
        (
            f"A read {stranded} and crashed; B processed {by_b}",
            workload.pending(ctx, stream),
            *_totals(ctx, stream, proj),
        )
    ]
    early, _ = sweep(ctx, stream, proj, IDLE_THRESHOLD_MS)
    rows.append(
        (
            f"XAUTOCLAIM min-idle {IDLE_THRESHOLD_MS}: claimed {early}",
            workload.pending(ctx, stream),
            *_totals(ctx, stream, proj),
        )
    )
    claimed, _ = sweep(ctx, stream, proj, 0)
    rows.append(
        (
            f"XAUTOCLAIM min-idle 0: claimed {claimed}, applied",
            workload.pending(ctx, stream),
            *_totals(ctx, stream, proj),
        )
    )
    return StepOutcome(
        narration=(
            f"Consumer A reads {stranded} entries and dies before acknowledging them. B carries on "
            f"and processes the other {by_b}. The group has already handed A's entries out, so "
            "`>` will never return them again: they wait in the PEL under A (`XPENDING stream "
            "projector` counts them) and the balances are missing those events.",
            "Recovery is a sweep: `XAUTOCLAIM stream projector B <min-idle-ms> 0-0 COUNT 100` moves "
            "entries idle for at least min-idle to B and returns them with a cursor to continue from "
            f"(`0-0` once the whole PEL was scanned). With a min-idle of {IDLE_THRESHOLD_MS} ms it "
            "leaves A's entries alone, since they are milliseconds old: that threshold keeps a "
            "sweeper from stealing work a healthy consumer is still doing. The drill then passes 0 "
            "to stand for 'A has been gone long enough' rather than sleeping a minute. (An empty "
            "sweep leaves no trace on Redis 6.2 and 7.0; Valkey 8.1 and the embedded fakeredis register B "
            "as a consumer of the group anyway, visible in `XINFO CONSUMERS`.)",
            "Two naive consumers fail the same check: one whose recovery only reads `>` (it never "
            "reclaims, and A's events are lost for good) and one that never acks (nothing is lost, "
            "but the PEL never empties and the sweep applies everything a second time).",
        ),
        figures=(
            DataTable(
                "crash and recovery", ("stage", "pending", "projection total", "log total"), tuple(rows)
            ),
        ),
        checks=(
            checks.crash_recovery.run(ctx, variants.NO_RECLAIM).expecting_failure(),
            checks.crash_recovery.run(ctx, variants.NO_ACK).expecting_failure(),
            checks.crash_recovery.run(ctx, es),
        ),
    )


def redelivery(ctx: DrillContext) -> StepOutcome:
    # The redelivery check's story, step by step: A reads the entry and stalls, B claims it.
    stream, proj = workload.keys(ctx, "retry")
    es.append(ctx.r, stream, workload.DEPOSIT)
    es.create_group(ctx.r, stream, GROUP)
    (entry,) = es.read(ctx.r, stream, GROUP, "A", 1)
    _, claimed, _ = es.claim(ctx.r, stream, GROUP, "B", 0)
    (row,) = ctx.r.xpending_range(stream, GROUP, "-", "+", 1)
    delivered = int(row["times_delivered"])
    rows = []
    for who, copy in (("B, its claimed copy", claimed[0]), ("A, waking up", entry), ("A's retry", entry)):
        with ctx.tracer.operation("apply + ack"):
            counted = es.apply(ctx.r, stream, GROUP, proj, copy)
        rows.append(
            (who, "yes" if counted else "no (XACK answered 0)", int(ctx.r.hget(proj, "acct:ann") or 0))
        )
    unguarded = checks.redelivery_once.run(ctx, variants.UNGUARDED).expecting_failure()
    return StepOutcome(
        narration=(
            "Streams deliver at least once: an entry is handed out again until someone acks it. "
            "A consumer that stalls (a long GC pause, a slow disk) looks exactly like a dead one, so "
            "its entry is claimed and applied by another, and then the stalled one wakes up and "
            "applies its own copy. Redis counts deliveries: after A's read and B's claim, "
            f"`XPENDING` reports {delivered} for the entry. A rule such as 'more than 5 deliveries: "
            "copy it to a dead-letter stream and ack it' keeps a poison message from cycling for ever.",
            "Exactly-once delivery does not exist; exactly-once effect does. `XACK` answers 1 only "
            "the first time an entry is acknowledged, by whichever consumer of the group, so the "
            f"apply script acks first and updates the balance only when the ack counted: handed the "
            f"deposit {len(rows)} times, the balance ends at {rows[-1][2]}. Acking and applying in a `MULTI` "
            "instead, with no such guard, counts every copy: the naive check below, on the same "
            f"story, ends with balance {unguarded.measured.get('balance')}.",
        ),
        figures=(
            DataTable(
                f"one deposit of 100, delivered {delivered} times, handed to apply {len(rows)} times",
                ("apply call", "XACK counted it", "balance after"),
                tuple(rows),
            ),
        ),
        checks=(unguarded, checks.redelivery_once.run(ctx, es)),
    )


def _retention(ctx: DrillContext, tag: str, label: str, trim: str) -> tuple[str, int, int, int, int]:
    """B handles 150 of 250, A reads 10 and crashes, B handles the rest; then trim and sweep.

    Only the pending list matters here, so B reads and acks in bulk instead of applying one by one.
    """
    stream, proj = workload.keys(ctx, tag)
    workload.seed_log(ctx, stream, workload.make_events(ctx.fork_rng("retention"), CAPPED_EVENTS))
    es.create_group(ctx.r, stream, GROUP)
    first = es.read(ctx.r, stream, GROUP, "B", 150)
    es.read(ctx.r, stream, GROUP, "A", workload.CRASHED_READ)  # A crashes holding these
    rest = es.read(ctx.r, stream, GROUP, "B", CAPPED_EVENTS)
    es.ack(ctx.r, stream, GROUP, [entry_id for entry_id, _ in first + rest])
    with ctx.tracer.operation(label):
        if trim == "maxlen":
            removed = int(ctx.r.xtrim(stream, maxlen=20, approximate=False))
        else:
            removed = es.trim_to_floor(ctx.r, stream)
    claimed, deleted = sweep(ctx, stream, proj, 0, "claim after a trim")
    return label, removed, int(ctx.r.xlen(stream)), claimed, len(deleted)


def trimming(ctx: DrillContext) -> StepOutcome:
    capped, _ = workload.keys(ctx, "capped")
    for event in workload.make_events(ctx.fork_rng("capped"), CAPPED_EVENTS):
        with ctx.tracer.operation(f"append (MAXLEN ~ {CAP})"):
            es.append(ctx.r, capped, event, maxlen=CAP)
    approx = int(ctx.r.xlen(capped))
    with ctx.tracer.operation(f"trim (exact MAXLEN {CAP})"):
        ctx.r.xtrim(capped, maxlen=CAP, approximate=False)
    exact = int(ctx.r.xlen(capped))
    tight = _retention(ctx, "tight", "trim (exact MAXLEN 20)", "maxlen")
    floor = _retention(ctx, "floor", "trim to retention floor", "floor")
    xadd, xtrim = command_doc("XADD"), command_doc("XTRIM")
    return StepOutcome(
        narration=(
            f"A log grows for ever unless it is capped. `XADD stream MAXLEN ~ {CAP} * ...` trims as "
            f"it appends; the `~` lets Redis free only whole nodes (a node holds up to 100 entries, "
            f"`stream-node-max-entries`), so after {CAPPED_EVENTS} appends it kept {approx} entries, "
            f"and an exact `XTRIM MAXLEN {CAP}` then cut it to {exact}. XADD is documented as "
            f'"{xadd.complexity if xadd else "?"}"; XTRIM as "{xtrim.complexity if xtrim else "?"}"',
            "What trimming costs is history. Events older than the cap are gone: a replay from the "
            "start no longer adds up to the balances (the snapshot step shows the way out), and an "
            "entry a crashed consumer still held is gone too. `XAUTOCLAIM` (Redis 6.2+; "
            "the third reply element since 7.0) returns those ids in that element and drops them "
            "from the PEL; Redis 6.2 returns a "
            "nil in their place and leaves them pending, so `claim` finds their ids with `XPENDING` "
            "and acks them. Their payload is lost either way: count them, alert, and never let "
            "retention cut below them.",
            "The retention floor is the oldest id anyone still needs: the oldest pending entry of "
            "each group (`XPENDING` summary), the first entry a group has not been given yet "
            "(`XINFO GROUPS` last-delivered-id) and the first entry after the newest snapshot. "
            "`XTRIM stream MINID ~ floor` below it loses nothing. Redis 8.2 adds an `ACKED` option "
            "to `XADD` and `XTRIM` that trims only entries every group has acknowledged; on 7.0 this "
            "is yours to do.",
        ),
        figures=(
            DataTable(
                "retention after a consumer crashed holding 10 entries (250 in the log)",
                ("trim", "removed", "kept", "reclaimed", "lost (payload trimmed)"),
                (tight, floor),
            ),
        ),
    )


def pubsub_contrast(ctx: DrillContext) -> StepOutcome:
    lossy = feed_checks.labelled(feed_checks.offline_catch_up.run(ctx, pubsub), "Pub/Sub").expecting_failure()
    kept = feed_checks.labelled(feed_checks.offline_catch_up.run(ctx, stream_feed), "stream")
    return StepOutcome(
        narration=(
            "Why not `PUBLISH` each event and let projectors subscribe? Pub/Sub hands a message to the "
            "subscribers connected at that instant, at most once, and keeps nothing. A projector "
            f"that restarts while {feed_checks.OFFLINE} events go by never sees them, and no replay "
            "can repair its balances, because there is no log to replay.",
            "The same workload over a stream (a consumer group per subscriber) loses nothing: the "
            "group's position lives on the server. Fan-out, pattern subscriptions, late joiners and "
            "work sharing are compared in `redisprep drill pubsub-vs-streams`, which runs this same "
            "check. The subscriber's own connection (`SUBSCRIBE`, `UNSUBSCRIBE`, the `PING` that "
            "drains it) is not in the trace; `PUBLISH`, sent through the normal client, is.",
        ),
        checks=(lossy, kept),
    )


def round_trips(ctx: DrillContext) -> StepOutcome:
    return StepOutcome(
        narration=(
            "Per event the consumer loop costs one round trip per operation: append is one `XADD`, "
            "read one `XREADGROUP` per batch, apply + ack one `EVAL` (`XACK` and `HINCRBY` inside), "
            "claim one `XAUTOCLAIM` per batch. The table below is measured from the trace.",
            f"Replay costs one `XRANGE` round trip per {es.REPLAY_PAGE} entries; trimming to the "
            "retention floor costs three (`XINFO GROUPS`, pipelined `XPENDING`, `XTRIM`), a "
            "periodic chore rather than per-event work.",
        ),
        checks=(checks.one_round_trip.run(ctx, es),),
    )
