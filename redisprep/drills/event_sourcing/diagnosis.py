"""What a failed event-sourcing check saw, turned into the mistake it points to (and the probes for it)."""

from __future__ import annotations

from typing import Any

from redisprep.drills.context import DrillContext
from redisprep.drills.event_sourcing.workload import (
    GROUP,
    READ_FROM_ZERO,
    claimed_of,
    entries_of,
    keys,
    make_events,
    nonzero,
    seed_log,
)

SOURCE_OF_TRUTH = (
    "the log (XADD) is the source of truth: every entry must reach the projection once, and a "
    "replay must fold every entry from the start (XRANGE - + in pages) and return the last id"
)
GROUP_AT_END = (
    "create_group ignores start: a group created at '$' only sees entries added after it, so the "
    "log it was created on never reaches the projection; XGROUP CREATE stream group <start> MKSTREAM"
)
WITHDRAW_ADDS = "a withdrawal must subtract its amount: every event was added, deposits and withdrawals alike"
NOT_ACCOUNTS = "the projection's fields must be the events' accounts (HINCRBY projection <account> <delta>)"


def why_differs(
    ctx: DrillContext,
    stream: str,
    events: list[dict[str, str]],
    live: dict[str, int],
    replayed: dict[str, int],
    handed: int,
) -> str:
    """The pitfall for a live projection or replay that differs from the log, by what they hold and
    how many entries ``read`` handed to ``apply`` (an empty projection after entries were handed over
    is apply's fault, not the group's)."""
    if not live and not handed:
        groups = ctx.r.xinfo_groups(stream)
        newest = ctx.r.xrevrange(stream, count=1)
        delivered = str(groups[0].get("last-delivered-id")) if groups else None
        if delivered == "0-0":  # the group handed nothing out: read asked for its own history
            return READ_FROM_ZERO
        if newest and delivered == str(newest[0][0]) and not any(int(g.get("pending", 0)) for g in groups):
            return GROUP_AT_END
    added: dict[str, int] = {}
    for event in events:
        added[event["account"]] = added.get(event["account"], 0) + int(event["amount"])
    if nonzero(added) in (live, replayed):
        return WITHDRAW_ADDS
    accounts = {event["account"] for event in events}
    if live and not set(live) & accounts:
        return NOT_ACCOUNTS
    return SOURCE_OF_TRUTH


IGNORES_MIN_IDLE = (
    "claims ignore min-idle: a sweep must take only entries idle longer than the threshold, or it "
    "steals work from healthy consumers"
)
RECLAIMED_NOT_ACKED = (
    "a stream consumer that never acks: reclaimed or not, unacknowledged entries stay pending and are "
    "claimed again and again; XACK in the same script as the apply"
)
APPLIED_TWICE_OR_NOT = "a reclaimed entry was applied twice or not at all: apply must be idempotent"
READ_IGNORES_COUNT = (
    "read ignores count: XREADGROUP ... COUNT n hands a consumer at most n entries; one that takes "
    "everything leaves nothing for the others and, when it crashes, strands it all"
)
DROPS_DELETED = (
    "claim drops XAUTOCLAIM's third element (Redis 7.0+): the ids of pending entries whose data was "
    "trimmed away, which XAUTOCLAIM removes from the pending list; this reply is the only time "
    "anyone hears of them, so return them"
)


def deleted_and_told(ctx: DrillContext, impl: Any) -> tuple[list[str], list[str]]:
    """On Redis 7.0+ (XAUTOCLAIM names deleted entries from then on; 6.2 answers nil in their place):
    A reads three entries and crashes, the middle one is deleted; the ids deleted, and those one
    ``claim`` sweep said were deleted."""
    if ctx.backend.version < (7, 0):
        return [], []
    stream, _ = keys(ctx, "gone")
    seed_log(ctx, stream, make_events(ctx.fork_rng("gone"), 3))
    impl.create_group(ctx.r, stream, GROUP)
    read = [str(e[0]) for e in entries_of(impl.read(ctx.r, stream, GROUP, "A", 3), "read")]
    gone = read[1:2]
    if gone:
        ctx.r.xdel(stream, *gone)
    _, _, told = claimed_of(impl.claim(ctx.r, stream, GROUP, "B", 0, "0-0", 100))
    return gone, [str(i) for i in told]


EMPTY_TAIL_LAST_ID = (
    "a replay with nothing after `after` folded nothing, so its state still ends at `after`: "
    "return `after` as the last id, not None (the next snapshot would lose its place)"
)
