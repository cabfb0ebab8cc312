"""The narrated steps of the event-sourcing drill: the log, the projection, replay and snapshots."""

from __future__ import annotations

from redisprep.drills.context import DrillContext
from redisprep.drills.event_sourcing import checks, variants, workload
from redisprep.drills.event_sourcing import reference as es
from redisprep.drills.event_sourcing.failures import crash, pubsub_contrast, redelivery, round_trips, trimming
from redisprep.drills.event_sourcing.scenario import GROUP, append_all, ledger, project, short
from redisprep.drills.model import DataTable, Step, StepOutcome


def log(ctx: DrillContext) -> StepOutcome:
    stream, _, _ = ledger(ctx)
    events = workload.make_events(ctx.fork_rng("log"), workload.EVENTS)
    ids = append_all(ctx, stream, events)
    increasing = all(es.id_key(a) < es.id_key(b) for a, b in zip(ids, ids[1:], strict=False))
    rows = tuple((i + 1, e["type"], e["account"], int(e["amount"])) for i, e in enumerate(events[:5]))
    return StepOutcome(
        narration=(
            "An event-sourced ledger stores what happened, not the balances. Every deposit and "
            "withdrawal is appended to one stream: `XADD stream * type deposit account acct:ann "
            "amount 50`, O(1). The stream is the system of record; the balances are a projection "
            "derived from it, which can be thrown away and rebuilt at any time.",
            f"`*` lets Redis choose the id, `<milliseconds>-<sequence>`, always greater than the "
            f"previous id of this stream (all {len(ids)} ids strictly increasing: "
            f"{'yes' if increasing else 'NO'}). The stream, the projection and the snapshot share "
            "the hash tag `{ledger}`, so a script that touches two of them stays on one cluster node.",
        ),
        figures=(
            DataTable("the log (first 5 events)", ("#", "type", "account", "amount"), rows),
            DataTable("stream", ("key", "XLEN"), ((short(ctx, stream), int(ctx.r.xlen(stream))),)),
        ),
    )


def projection(ctx: DrillContext) -> StepOutcome:
    stream, proj, _ = ledger(ctx)
    with ctx.tracer.operation("create group"):
        es.create_group(ctx.r, stream, GROUP, "0")
    applied = project(ctx, stream, proj, ("c1", "c2"))
    balances = workload.balances(ctx, proj)
    naive = checks.acked.run(ctx, variants.NO_ACK).expecting_failure()
    return StepOutcome(
        narration=(
            "The balances hash is kept up to date by a consumer group: `XGROUP CREATE stream "
            "projector 0 MKSTREAM` makes a group that starts at the beginning of the log and "
            "remembers how far it got. `XREADGROUP GROUP projector c1 COUNT 20 STREAMS stream >` "
            "hands each new entry to one consumer of the group; two consumers here take turns and "
            "split the work.",
            "A delivered entry stays in the group's pending entries list (PEL) until it is "
            "acknowledged with `XACK`. The apply is one Lua script: `XACK` first, and `HINCRBY` only "
            "if the ack counted. One round trip, and no crash can fall between the update and the "
            "ack.",
            "A consumer that applies and never acks gets the balances right, yet every entry stays "
            "pending: the PEL grows without bound and a recovery sweep would hand it all out again.",
        ),
        figures=(
            DataTable("who applied what", ("consumer", "entries applied"), tuple(applied.items())),
            DataTable("projection (balances hash)", ("account", "balance"), tuple(balances.items())),
        ),
        checks=(naive, checks.acked.run(ctx, es)),
    )


def replay(ctx: DrillContext) -> StepOutcome:
    stream, proj, _ = ledger(ctx)
    with ctx.tracer.operation("replay"):
        rebuilt, _last = es.replay(ctx.r, stream)
    live = workload.balances(ctx, proj)
    rebuilt = workload.nonzero(rebuilt)
    rows = tuple((a, live.get(a, 0), rebuilt.get(a, 0)) for a in sorted(set(live) | set(rebuilt)))
    return StepOutcome(
        narration=(
            f"Rebuild the projection from nothing: `XRANGE stream - + COUNT {es.REPLAY_PAGE}` pages "
            "through the log in order, O(N) per page, and the events are folded in the application. "
            f"The rebuilt balances {'equal' if rebuilt == live else 'DIFFER FROM'} the live ones.",
            "This is also how a new read model is born (a monthly statement, a fraud score): a new "
            "group created at `0`, or a replay, over the same log. Nothing about the log changes.",
        ),
        figures=(DataTable("live projection vs replay", ("account", "live", "replay"), rows),),
        checks=(checks.replay_matches_live.run(ctx, es),),
    )


def snapshots(ctx: DrillContext) -> StepOutcome:
    # The check's log, rebuilt here step by step: the table and the checks describe the same events.
    stream, _ = workload.keys(ctx, "rebuild")
    snapshot = ctx.key("es", "{rebuild}", "snapshot")
    events, at = workload.snapshot_events(ctx), workload.SNAPSHOT_AT
    append_all(ctx, stream, events[:at])
    with ctx.tracer.operation("replay"):
        state, last = es.replay(ctx.r, stream)
    with ctx.tracer.operation("snapshot save"):
        es.save_snapshot(ctx.r, snapshot, state, last)
    append_all(ctx, stream, events[at:])
    with ctx.tracer.operation("snapshot load"):
        saved, saved_last = es.load_snapshot(ctx.r, snapshot)
    with ctx.tracer.operation("replay tail"):
        tail, _ = es.replay(ctx.r, stream, after=saved_last, state=saved)
    with ctx.tracer.operation("replay"):
        full, _ = es.replay(ctx.r, stream)
    with ctx.tracer.paused():
        inclusive, _ = variants.INCLUSIVE_TAIL.replay(ctx.r, stream, after=saved_last, state=saved)
        read = (
            int(ctx.r.xlen(stream)),
            len(ctx.r.xrange(stream, min=f"({saved_last}")),
            len(ctx.r.xrange(stream, min=saved_last)),
        )
    total = sum(full.values())
    ways = (
        ("full replay", "-", full),
        ("snapshot + tail", f"(id of event {at}", tail),
        ("naive: tail from the id itself", f"id of event {at}", inclusive),
    )
    rows = tuple(
        (way, start, n, sum(got.values()), f"{sum(got.values()) - total:+d}")
        for (way, start, got), n in zip(ways, read, strict=True)
    )
    naive = checks.snapshot_tail.run(ctx, variants.INCLUSIVE_TAIL).expecting_failure()
    doubled, off = events[at - 1], sum(inclusive.values()) - total
    naive_off = int(naive.measured.get("off_by") or 0)
    same = "the same" if naive_off == off else f"{naive_off:+d}, not"
    return StepOutcome(
        narration=(
            "A full replay reads every event ever written. A snapshot stores the state together "
            "with the id of the last event it includes, in one `SET`, so it is never half-written. "
            "A rebuild then loads it and replays only the tail: `XRANGE stream (last_id +`, where "
            "`(` makes the start exclusive (Redis 6.2+).",
            f"The table and the checks below use one log of {workload.EVENTS} events with a snapshot "
            f"taken after event {at}: a full replay reads {read[0]} entries, the tail only {read[1]}.",
            f"Starting the tail at the snapshot's id itself reads {read[2]} entries and applies event "
            f"{at} a second time. That event is a {doubled['type']} of {doubled['amount']} on "
            f"`{doubled['account']}`, so the balances add up to {total + off:,} instead of {total:,} "
            f"({off:+d}): one event, counted twice. The naive check below runs on the same log and "
            f"reports {same} {off:+d}. Once a snapshot exists, the events it covers may be trimmed; "
            "the check trims them and snapshot + tail still equals the full history.",
        ),
        figures=(
            DataTable(
                f"rebuilding a log of {workload.EVENTS} events from a snapshot taken after event {at}",
                ("way", "XRANGE from", "entries read", "balances total", "off by"),
                rows,
            ),
        ),
        checks=(naive, checks.snapshot_tail.run(ctx, es)),
    )


STEPS = (
    Step("The log: XADD appends events", log),
    Step("A projection fed by a consumer group", projection),
    Step("Rebuild by replay", replay),
    Step("Snapshots: state + tail replay", snapshots),
    Step("A consumer crashes: XPENDING and XAUTOCLAIM", crash),
    Step("At-least-once: redelivery without double counting", redelivery),
    Step("Trimming with MAXLEN, and what it costs", trimming),
    Step("Pub/Sub is not a log", pubsub_contrast),
    Step("One round trip per operation", round_trips),
)
