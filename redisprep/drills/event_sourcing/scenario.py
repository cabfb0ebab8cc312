"""Keys and labelled loops shared by the event-sourcing drill's steps."""

from __future__ import annotations

from redisprep.drills.context import DrillContext
from redisprep.drills.event_sourcing import reference as es
from redisprep.drills.event_sourcing import workload

GROUP = workload.GROUP
READ_BATCH = 20


def ledger(ctx: DrillContext) -> tuple[str, str, str]:
    """The drill's stream, projection and snapshot keys, all tagged ``{ledger}``."""
    tag = "{ledger}"
    return ctx.key("es", tag, "events"), ctx.key("es", tag, "balances"), ctx.key("es", tag, "snapshot")


def short(ctx: DrillContext, key: str) -> str:
    """A key without the run's prefix (the same in every run, for tables)."""
    return key.removeprefix(ctx.ns.prefix)


def append_all(ctx: DrillContext, stream: str, events: list[dict[str, str]]) -> list[str]:
    """Append each event as one labelled operation."""
    ids = []
    for event in events:
        with ctx.tracer.operation("append"):
            ids.append(es.append(ctx.r, stream, event))
    return ids


def project(ctx: DrillContext, stream: str, projection: str, consumers: tuple[str, ...]) -> dict[str, int]:
    """Consumers of the group take turns: read a batch, apply + ack each entry. Returns counts."""
    applied = dict.fromkeys(consumers, 0)
    turn = 0
    while True:
        consumer = consumers[turn % len(consumers)]
        turn += 1
        with ctx.tracer.operation("read"):
            entries = es.read(ctx.r, stream, GROUP, consumer, READ_BATCH)
        if not entries:
            return applied
        for entry in entries:
            with ctx.tracer.operation("apply + ack"):
                es.apply(ctx.r, stream, GROUP, projection, entry)
            applied[consumer] += 1


def crash_consumer(ctx: DrillContext, stream: str, projection: str) -> tuple[int, int]:
    """Consumer A reads a batch and crashes; B processes everything else. Returns (stranded, by B)."""
    with ctx.tracer.operation("read"):
        stranded = es.read(ctx.r, stream, GROUP, "A", workload.CRASHED_READ)
    by_b = project(ctx, stream, projection, ("B",))["B"]
    return len(stranded), by_b


def sweep(
    ctx: DrillContext, stream: str, projection: str, min_idle_ms: int, label: str = "claim"
) -> tuple[int, list[str]]:
    """B claims what has been idle ``min_idle_ms`` and applies it. Returns (claimed, trimmed ids).

    Args:
        label: The operation the claims are counted under in the cost table.
    """
    cursor, claimed, deleted = "0-0", 0, []
    while True:
        with ctx.tracer.operation(label):
            cursor, entries, gone = es.claim(ctx.r, stream, GROUP, "B", min_idle_ms, cursor)
        claimed += len(entries)
        deleted += gone
        for entry in entries:
            with ctx.tracer.operation("apply + ack"):
                es.apply(ctx.r, stream, GROUP, projection, entry)
        if cursor == "0-0":
            return claimed, deleted
