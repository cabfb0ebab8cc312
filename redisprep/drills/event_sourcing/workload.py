"""The event-sourcing checks' workload and readers: the log they seed, how they drive a consumer,
and the balances they compare with (the drill's failure steps use them too)."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any

from redisprep.drills.calls import call_each
from redisprep.drills.check_helpers import UnusableResultError
from redisprep.drills.context import DrillContext
from redisprep.drills.event_sourcing.reference import fold

GROUP = "projector"
ACCOUNTS = ("acct:ann", "acct:bob", "acct:cat", "acct:dan")
EVENTS = 80
CRASHED_READ = 10
"""Entries the crashing consumer reads and never finishes."""
SNAPSHOT_AT = 60
"""The snapshot check's log: EVENTS events, with a snapshot taken after this many."""
DEPOSIT = {"type": "deposit", "account": "acct:ann", "amount": "100"}
"""The one event the redelivery check hands out twice."""
BATCH = 25
MAX_CALLS = 1000
"""Upper bound on read/claim calls a check makes, so a broken implementation cannot loop for ever."""


ENTRY = "a list of (id, fields) pairs"


def entries_of(value: Any, function: str) -> list[tuple[str, dict[str, str]]]:
    """``value`` as a list of (id, fields) entries, or :class:`UnusableResultError` naming ``function``."""
    try:
        found = [(str(i), dict(f)) for i, f in value]
    except (TypeError, ValueError):
        raise UnusableResultError(function, value, ENTRY) from None
    return found


def claimed_of(value: Any) -> tuple[str, list[tuple[str, dict[str, str]]], Any]:
    """``claim``'s (cursor, entries, deleted), or :class:`UnusableResultError`."""
    try:
        cursor, entries, deleted = value
    except (TypeError, ValueError):
        raise UnusableResultError("claim", value, "(cursor, entries, deleted)") from None
    return str(cursor), entries_of(entries, "claim"), deleted


def make_events(rng: random.Random, count: int) -> list[dict[str, str]]:
    """Deposits (60 %) and withdrawals of 10-200 on a few accounts."""
    return [
        {
            "type": "deposit" if rng.random() < 0.6 else "withdraw",
            "account": rng.choice(ACCOUNTS),
            "amount": str(rng.randrange(10, 201, 10)),
        }
        for _ in range(count)
    ]


def snapshot_events(ctx: DrillContext) -> list[dict[str, str]]:
    """The snapshot check's log (the drill's snapshot step rebuilds the same one)."""
    return make_events(ctx.fork_rng("snap"), EVENTS)


def keys(ctx: DrillContext, tag: str) -> tuple[str, str]:
    """The stream and projection of one scenario, emptied, sharing the hash tag ``{tag}`` (one slot)."""
    stream, projection = ctx.key("es", "{" + tag + "}", "events"), ctx.key("es", "{" + tag + "}", "balances")
    ctx.r.delete(stream, projection, ctx.key("es", "{" + tag + "}", "snapshot"))
    return stream, projection


def seed_log(ctx: DrillContext, stream: str, events: Sequence[Mapping[str, str]]) -> None:
    """Append ``events`` directly (pipelined, untraced): setup, not the thing being checked."""
    with ctx.tracer.paused():
        pipe = ctx.r.pipeline(transaction=False)
        for event in events:
            pipe.xadd(stream, dict(event))
        pipe.execute()


def balances(ctx: DrillContext, projection: str) -> dict[str, int]:
    """The projection hash as read from Redis, zero balances left out."""
    return nonzero({k: int(v) for k, v in ctx.r.hgetall(projection).items()})


def truth(ctx: DrillContext, stream: str) -> dict[str, int]:
    """Balances folded from the whole stream with XRANGE (the check's own replay)."""
    return nonzero(fold({}, ctx.r.xrange(stream)))


def nonzero(state: Mapping[str, int]) -> dict[str, int]:
    """``state`` without zero balances (an account can net to 0 whichever way it is built)."""
    return {k: int(v) for k, v in sorted(state.items()) if int(v) != 0}


def pending(ctx: DrillContext, stream: str) -> int:
    """Entries delivered to the group and not acknowledged (XPENDING summary)."""
    return int(ctx.r.xpending(stream, GROUP)["pending"])


def process(
    impl: Any, r: Any, stream: str, projection: str, consumers: Sequence[str], batch: int = BATCH
) -> dict[str, list[str]]:
    """Consumers take turns reading a batch and applying it until the group has nothing new.

    Returns:
        The ids each consumer handed to ``apply``.
    """
    handed: dict[str, list[str]] = {c: [] for c in consumers}
    for turn in range(MAX_CALLS):
        consumer = consumers[turn % len(consumers)]
        entries = entries_of(impl.read(r, stream, GROUP, consumer, batch), "read")
        if not entries:
            break
        call_each(impl, "apply", [(r, stream, GROUP, projection, entry) for entry in entries])
        handed[consumer] += [str(entry[0]) for entry in entries]
    return handed


def recover(impl: Any, r: Any, stream: str, projection: str, consumer: str) -> tuple[int, int, list[str]]:
    """Sweep the pending list with ``claim`` (min-idle 0) and apply what it hands over.

    Returns:
        (entries claimed, claim calls, ids handed to ``apply``).
    """
    cursor, claimed, calls, handed = "0-0", 0, 0, []
    while calls < MAX_CALLS:
        cursor, entries, _deleted = claimed_of(impl.claim(r, stream, GROUP, consumer, 0, cursor, 100))
        calls += 1
        claimed += len(entries)
        call_each(impl, "apply", [(r, stream, GROUP, projection, entry) for entry in entries])
        handed += [str(entry[0]) for entry in entries]
        if str(cursor) == "0-0":
            break
    return claimed, calls, handed


def truth_of(events: Sequence[Mapping[str, str]]) -> dict[str, int]:
    """Balances the events add up to, computed without Redis."""
    return nonzero(fold({}, [("", dict(e)) for e in events]))


# The mistakes the checks name.
READ_FROM_ZERO = (
    "reading the group from '0' instead of '>': '0' returns only this consumer's own pending "
    "entries (its history), never new ones; XREADGROUP GROUP g c STREAMS stream >"
)
NEVER_RECLAIMS = (
    "a stream consumer that never reclaims: entries a crashed consumer read but did not ack stay "
    "pending for ever (reading '>' only returns new entries); sweep them with XAUTOCLAIM"
)
NEVER_ACKS = (
    "a stream consumer that never acks: without XACK every entry stays in the pending list (PEL), "
    "which grows for ever and hands the entries out again on every claim; ack in the same script as "
    "the apply"
)
REPLAY_LAST_ID = "replay must return the id of the last entry it folded"
