"""Event-sourcing checks at volume: a log longer than one read page, a pending list longer than one
claim page (code that reads or claims only once passes every smaller check)."""

from __future__ import annotations

from typing import Any

from redisprep.drills.check_helpers import NO_KNOWN_PITFALL, Verdict, check, verdict
from redisprep.drills.context import DrillContext
from redisprep.drills.event_sourcing.workload import (
    GROUP,
    NEVER_ACKS,
    NEVER_RECLAIMS,
    READ_FROM_ZERO,
    entries_of,
    keys,
    make_events,
    nonzero,
    pending,
    recover,
    seed_log,
    truth_of,
)

LONG_LOG = 1_200
"""Entries in the long-log check: more than one page of any sensible XRANGE COUNT (500, 1000)."""
PILED = 150
"""Entries a crashed consumer leaves pending in the big-claim check: more than one claim page (100)."""


@check("event-sourcing.long_replay", "a log longer than one read page replays whole")
def long_replay(ctx: DrillContext, impl: Any) -> Verdict:
    """1,200 events: replay folds them all and returns the newest id (XRANGE in pages)."""
    stream, _ = keys(ctx, "long")
    events = make_events(ctx.fork_rng("long"), LONG_LOG)
    seed_log(ctx, stream, events)
    state, last = impl.replay(ctx.r, stream)
    newest = ctx.r.xrevrange(stream, count=1)[0][0]
    want = truth_of(events)
    got = nonzero(dict(state))
    off = sum(want.values()) - sum(got.values())
    ok = got == want and last == newest
    if ok:
        pitfall = None
    elif last != newest and got != want:
        pitfall = (
            "replay reads one page: a log longer than its COUNT loses the rest; page with XRANGE "
            "stream (last_id + COUNT n until a page comes back empty"
        )
    elif last != newest:
        pitfall = "replay must return the id of the last entry it folded"
    else:
        pitfall = NO_KNOWN_PITFALL
    return verdict(
        ok,
        f"replay of {LONG_LOG} events: balances {'=' if got == want else '≠'} the log (total off by "
        f"{off}); last id {'is the newest' if last == newest else f'{last!r}, want {newest!r}'}",
        pitfall=pitfall,
        off_by=off,
    )


@check("event-sourcing.big_claim", "more pending entries than one claim page are all reclaimed")
def big_claim(ctx: DrillContext, impl: Any) -> Verdict:
    """A reads 150 and crashes; sweeping with claim(count=100) must follow the cursor to get all 150."""
    stream, projection = keys(ctx, "pile")
    seed_log(ctx, stream, make_events(ctx.fork_rng("pile"), PILED))
    impl.create_group(ctx.r, stream, GROUP)
    stranded = entries_of(impl.read(ctx.r, stream, GROUP, "A", PILED), "read")
    claimed, calls, _ = recover(impl, ctx.r, stream, projection, "B")
    left = pending(ctx, stream)
    ok = len(stranded) == PILED and claimed == PILED and left == 0
    if len(stranded) != PILED:
        pitfall = READ_FROM_ZERO if not stranded else NO_KNOWN_PITFALL
    elif claimed == 0:
        pitfall = NEVER_RECLAIMS
    elif claimed < PILED and calls == 1:
        pitfall = (
            "claim drops XAUTOCLAIM's cursor: the first reply element is where the next call starts "
            "('0-0' only when the scan is done); return it so a sweep can page"
        )
    elif left:
        pitfall = NEVER_ACKS
    else:
        pitfall = NO_KNOWN_PITFALL
    return verdict(
        ok,
        f"A read {len(stranded)} of {PILED} and crashed; B's sweep claimed {claimed} in {calls} call(s) "
        f"(want {PILED}); {left} still pending (want 0)",
        pitfall=pitfall,
        claimed=claimed,
        calls=calls,
        pending_after=left,
    )
