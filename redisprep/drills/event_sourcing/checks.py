"""Checks of the event-sourcing drill; each runs against any implementation of its interface."""

from __future__ import annotations

import time
from typing import Any

from redisprep.drills.calls import call_each
from redisprep.drills.check_helpers import (
    NO_KNOWN_PITFALL,
    Verdict,
    check,
    round_trips_of,
    verdict,
)
from redisprep.drills.context import DrillContext
from redisprep.drills.event_sourcing.diagnosis import (
    APPLIED_TWICE_OR_NOT,
    DROPS_DELETED,
    EMPTY_TAIL_LAST_ID,
    IGNORES_MIN_IDLE,
    READ_IGNORES_COUNT,
    RECLAIMED_NOT_ACKED,
    deleted_and_told,
    why_differs,
)
from redisprep.drills.event_sourcing.paging import big_claim, long_replay
from redisprep.drills.event_sourcing.workload import (
    CRASHED_READ,
    DEPOSIT,
    EVENTS,
    GROUP,
    NEVER_ACKS,
    NEVER_RECLAIMS,
    READ_FROM_ZERO,
    REPLAY_LAST_ID,
    SNAPSHOT_AT,
    balances,
    claimed_of,
    entries_of,
    keys,
    make_events,
    nonzero,
    pending,
    process,
    recover,
    seed_log,
    snapshot_events,
    truth,
    truth_of,
)


@check("event-sourcing.replay_matches_live", "replay from the start equals the live projection")
def replay_matches_live(ctx: DrillContext, impl: Any) -> Verdict:
    """Append through ``append``, project with two consumers, then rebuild with ``replay``."""
    stream, projection = keys(ctx, "replay")
    events = make_events(ctx.fork_rng("replay"), EVENTS)
    call_each(impl, "append", [(ctx.r, stream, event) for event in events])
    impl.create_group(ctx.r, stream, GROUP)
    handed = process(impl, ctx.r, stream, projection, ("c1", "c2"))
    live = balances(ctx, projection)
    replayed, last = impl.replay(ctx.r, stream)
    newest = ctx.r.xrevrange(stream, count=1)
    logged = int(ctx.r.xlen(stream))
    expected = truth(ctx, stream)
    ok = logged == EVENTS and live == expected and nonzero(replayed) == expected and last == newest[0][0]
    return verdict(
        ok,
        f"{logged} events logged; live projection {'=' if live == expected else '≠'} log, "
        f"replay {'=' if nonzero(replayed) == expected else '≠'} log, replay ends at "
        f"{'the newest entry' if last == newest[0][0] else repr(last)}",
        pitfall=why_differs(
            ctx, stream, events, live, nonzero(replayed), sum(len(ids) for ids in handed.values())
        ),
        logged=logged,
        live_equals_replay=live == nonzero(replayed),
    )


@check("event-sourcing.acked", "every applied entry is acknowledged")
def acked(ctx: DrillContext, impl: Any) -> Verdict:
    """After one consumer processed everything, the group's pending list (PEL) is empty."""
    stream, projection = keys(ctx, "ack")
    seed_log(ctx, stream, make_events(ctx.fork_rng("ack"), EVENTS))
    impl.create_group(ctx.r, stream, GROUP)
    handed = process(impl, ctx.r, stream, projection, ("c1",))
    left = pending(ctx, stream)
    correct = balances(ctx, projection) == truth(ctx, stream)
    ok = left == 0 and correct and len(handed["c1"]) == EVENTS
    if not handed["c1"]:
        pitfall = READ_FROM_ZERO
    elif left:
        pitfall = NEVER_ACKS
    else:
        pitfall = NO_KNOWN_PITFALL
    return verdict(
        ok,
        f"processed {len(handed['c1'])} of {EVENTS} entries (want {EVENTS}); {left} still pending "
        f"(XPENDING, want 0); projection {'equals' if correct else 'differs from'} the log",
        pitfall=pitfall,
        pending=left,
        handed=len(handed["c1"]),
    )


#: The least idle time of the entries the early sweep must leave alone.
EARLY_PAUSE_S = 0.005


def idle_ms(ctx: DrillContext, stream: str) -> int:
    """The longest a pending entry of the group has been idle (XPENDING's extended form)."""
    rows = ctx.r.xpending_range(stream, GROUP, "-", "+", 1000)
    return max((int(row["time_since_delivered"]) for row in rows), default=0)


@check("event-sourcing.crash_recovery", "a crashed consumer's entries are reclaimed, none lost")
def crash_recovery(ctx: DrillContext, impl: Any) -> Verdict:
    """A reads 10 and crashes; B processes the rest, then sweeps the pending list with ``claim``.
    On Redis 7.0+ also: of three entries A left pending, one is deleted; claim must return its id."""
    stream, projection = keys(ctx, "crash")
    seed_log(ctx, stream, make_events(ctx.fork_rng("crash"), EVENTS))
    impl.create_group(ctx.r, stream, GROUP)
    stranded = [e[0] for e in entries_of(impl.read(ctx.r, stream, GROUP, "A", CRASHED_READ), "read")]
    handed = process(impl, ctx.r, stream, projection, ("B",))["B"]
    before = pending(ctx, stream)
    # A sweep must leave alone entries idle for less than its threshold. The threshold is 20 times
    # their idle time (at least 1 s), so min_idle_ms read as seconds (a thousandth of it) is below
    # it whatever the machine's speed; the pause makes that idle time at least a few ms.
    time.sleep(EARLY_PAUSE_S)
    threshold = max(1_000, 20 * idle_ms(ctx, stream))
    _, early, _ = claimed_of(impl.claim(ctx.r, stream, GROUP, "B", threshold, "0-0", 100))
    claimed, calls, reclaimed = recover(impl, ctx.r, stream, projection, "B")
    after = pending(ctx, stream)
    all_ids = {str(i) for i, _ in ctx.r.xrange(stream)}
    lost = len(all_ids - set(handed) - set(reclaimed))
    correct = balances(ctx, projection) == truth(ctx, stream)
    gone, told = deleted_and_told(ctx, impl)
    unheard = sorted(set(gone) - set(told))
    over_read = len(stranded) > CRASHED_READ
    rest_ok = not early and after == 0 and lost == 0 and correct and not over_read
    ok = rest_ok and not unheard
    if not stranded:
        pitfall = READ_FROM_ZERO
    elif over_read:
        pitfall = READ_IGNORES_COUNT
    elif early:
        pitfall = IGNORES_MIN_IDLE
    elif claimed == 0 and before > 0:
        pitfall = NEVER_RECLAIMS
    elif after > 0:
        pitfall = RECLAIMED_NOT_ACKED
    elif lost or not correct:
        pitfall = APPLIED_TWICE_OR_NOT
    elif unheard:
        pitfall = DROPS_DELETED
    else:
        pitfall = NO_KNOWN_PITFALL
    return verdict(
        ok,
        f"A read {len(stranded)}{f' (asked for {CRASHED_READ})' if over_read else ''} and crashed; "
        f"B processed {len(handed)}; pending {before} -> {after} after claiming {claimed} in {calls} "
        f"call(s); {lost} of {len(all_ids)} events lost; projection "
        f"{'equals' if correct else 'differs from'} the log"
        + ("; claim did not return the id of a deleted pending entry" if unheard and rest_ok else ""),
        pitfall=pitfall,
        pending_before=before,
        pending_after=after,
        claimed=claimed,
        claimed_too_early=len(early),
        lost=lost,
        projection_equal=correct,
        deleted_probed=len(gone),
    )


@check("event-sourcing.redelivery_once", "a redelivered entry is applied once")
def redelivery_once(ctx: DrillContext, impl: Any) -> Verdict:
    """A reads an entry and stalls; B claims and applies it; then A wakes up and applies its copy."""
    stream, projection = keys(ctx, "dup")
    seed_log(ctx, stream, [DEPOSIT])
    impl.create_group(ctx.r, stream, GROUP)
    got = entries_of(impl.read(ctx.r, stream, GROUP, "A", 1), "read")
    if len(got) != 1:
        return verdict(
            False,
            f"read(count=1) on a log of 1 entry never delivered returned {len(got)} entries (want 1)",
            pitfall=READ_FROM_ZERO if not got else NO_KNOWN_PITFALL,
            read=len(got),
        )
    (entry,) = got
    _, claimed, _ = claimed_of(impl.claim(ctx.r, stream, GROUP, "B", 0, "0-0", 10))
    pel = ctx.r.xpending_range(stream, GROUP, "-", "+", 1)
    delivered = int(pel[0]["times_delivered"]) if pel else 0
    answers = [impl.apply(ctx.r, stream, GROUP, projection, copy) for copy in claimed]
    answers.append(impl.apply(ctx.r, stream, GROUP, projection, entry))  # A's late apply
    answers.append(impl.apply(ctx.r, stream, GROUP, projection, entry))  # and a client retry of it
    calls = len(claimed) + 2
    balance = int(ctx.r.hget(projection, "acct:ann") or 0)
    times = balance // 100
    want = [True] + [False] * (len(answers) - 1)
    ok = balance == 100 and pending(ctx, stream) == 0 and answers == want
    if balance != 100:
        pitfall = (
            "at-least-once delivery means duplicates: applying every delivery double-counts; make apply "
            "idempotent (XACK first in the same script, and apply only if it acknowledged the entry)"
        )
    elif answers != want:
        pitfall = "apply must return True the first time and False for an entry already acknowledged"
    else:
        pitfall = NEVER_ACKS
    return verdict(
        ok,
        f"one deposit of 100, delivered {delivered} times (XPENDING) and handed to apply {calls} "
        f"times: balance {balance} (counted {times}x, want 1x); apply returned {answers} (want {want})",
        pitfall=pitfall,
        delivered=delivered,
        handed=calls,
        balance=balance,
        applied_times=times,
    )


@check("event-sourcing.snapshot_tail", "snapshot + tail replay equals full replay")
def snapshot_tail(ctx: DrillContext, impl: Any) -> Verdict:
    """Snapshot after SNAPSHOT_AT events, append the rest; snapshot + tail must equal a full replay,
    also after the prefix the snapshot covers is trimmed away."""
    stream, _ = keys(ctx, "snap")
    snapshot = ctx.key("es", "{snap}", "snapshot")
    events = snapshot_events(ctx)
    call_each(impl, "append", [(ctx.r, stream, event) for event in events[:SNAPSHOT_AT]])
    state, last = impl.replay(ctx.r, stream)
    impl.save_snapshot(ctx.r, snapshot, state, last)
    call_each(impl, "append", [(ctx.r, stream, event) for event in events[SNAPSHOT_AT:]])
    full, full_last = impl.replay(ctx.r, stream)

    def from_snapshot() -> tuple[dict[str, int], Any]:
        saved, saved_last = impl.load_snapshot(ctx.r, snapshot)
        return impl.replay(ctx.r, stream, after=saved_last, state=saved)  # type: ignore[no-any-return]

    tail, tail_last = from_snapshot()
    # Nothing after the newest id: the state still includes everything up to it.
    _, at_end = impl.replay(ctx.r, stream, after=full_last, state=full)
    # Drop exactly what the snapshot covers (exact MINID: `~` would keep the whole first node).
    first_after = ctx.r.xrange(stream, count=SNAPSHOT_AT + 1)[SNAPSHOT_AT][0]
    ctx.r.xtrim(stream, minid=first_after, approximate=False)
    trimmed_tail, _ = from_snapshot()
    trimmed_full, _ = impl.replay(ctx.r, stream)
    want = truth_of(events)
    ok = nonzero(full) == want and nonzero(tail) == want and nonzero(trimmed_tail) == want
    ok = ok and tail_last == full_last and at_end == full_last
    off = sum(nonzero(tail).values()) - sum(want.values())
    return verdict(
        ok,
        f"snapshot at {SNAPSHOT_AT} + tail of {EVENTS - SNAPSHOT_AT} "
        f"{'=' if nonzero(tail) == want else '≠'} full replay of {EVENTS} (balances total off by "
        f"{off}); after trimming the first {SNAPSHOT_AT}, snapshot + tail "
        f"{'=' if nonzero(trimmed_tail) == want else '≠'} full, a replay from the start "
        f"{'=' if nonzero(trimmed_full) == want else '≠'} full"
        + (
            ""
            if at_end == full_last
            else f"; a replay after the newest id returned {at_end!r}, want {full_last!r}"
        ),
        # A snapshot without its last id (None) makes the tail a full replay: the prefix counts twice.
        pitfall=REPLAY_LAST_ID
        if last is None or tail_last != full_last
        else EMPTY_TAIL_LAST_ID
        if at_end != full_last
        else "the tail starts AFTER the snapshot's last id (XRANGE stream (id +): starting at the id "
        "itself applies that event twice",
        off_by=off,
        trimmed_replay_equal=nonzero(trimmed_full) == want,
    )


@check("event-sourcing.api", "append returns the id and trims; create_group is idempotent")
def api(ctx: DrillContext, impl: Any) -> Verdict:
    """append's return value and maxlen; create_group on a missing stream, twice, and from '$'."""
    stream, _ = keys(ctx, "api")
    problems, pitfall = [], None
    try:
        impl.create_group(ctx.r, stream, GROUP)
        impl.create_group(ctx.r, stream, GROUP)
    except Exception as exc:  # noqa: BLE001 - the server's refusal, passed through the learner's code
        problems.append(f"create_group on a new stream, twice: {type(exc).__name__}: {exc}")
        pitfall = (
            "create_group must create the stream (MKSTREAM) and tolerate an existing group (catch BUSYGROUP)"
        )
    ids = [
        impl.append(ctx.r, stream, {"type": "deposit", "account": "acct:ann", "amount": "5"})
        for _ in range(3)
    ]
    newest = [str(i) for i, _ in ctx.r.xrange(stream)]
    if ids != newest:
        problems.append(f"append returned {ids} (want the ids XADD gave: {newest})")
        pitfall = pitfall or "append must return the entry id XADD assigned"
    bob = {"type": "deposit", "account": "acct:bob", "amount": "1"}
    # 203 entries: past the 150 at which `~` can first drop a whole node (100 entries), and past 200.
    call_each(impl, "append", [(ctx.r, stream, dict(bob)) for _ in range(200)], maxlen=50)
    length = int(ctx.r.xlen(stream))
    if length > 200:
        problems.append(f"after 200 appends with maxlen=50 the log holds {length} entries (want about 50)")
        pitfall = pitfall or "append ignores maxlen: pass XADD MAXLEN ~ n so the log is trimmed"
    return verdict(
        not problems,
        f"append returned XADD's ids; maxlen=50 kept {length}; create_group twice did not fail"
        if not problems
        else "; ".join(problems),
        pitfall=pitfall,
        length=length,
    )


@check("event-sourcing.one_round_trip", "append, read, apply + ack and claim: one round trip each")
def one_round_trip(ctx: DrillContext, impl: Any) -> Verdict:
    """Every logical operation of the consumer loop is a single round trip."""
    stream, projection = keys(ctx, "trips")
    seed_log(ctx, stream, make_events(ctx.fork_rng("trips"), 5))
    impl.create_group(ctx.r, stream, GROUP)
    event = {"type": "deposit", "account": "acct:ann", "amount": "10"}
    trips = {"append": round_trips_of(ctx, "check:append", lambda: impl.append(ctx.r, stream, event))[1]}
    entries, trips["read"] = round_trips_of(
        ctx, "check:read", lambda: impl.read(ctx.r, stream, GROUP, "A", 2)
    )
    entries = entries_of(entries, "read") or [ctx.r.xrange(stream, count=1)[0]]
    trips["apply"] = round_trips_of(
        ctx, "check:apply", lambda: impl.apply(ctx.r, stream, GROUP, projection, entries[0])
    )[1]
    trips["claim"] = round_trips_of(
        ctx, "check:claim", lambda: impl.claim(ctx.r, stream, GROUP, "B", 0, "0-0", 10)
    )[1]
    heavy = {name: n for name, n in trips.items() if n != 1}
    return verdict(
        not heavy,
        "every operation took 1 round trip"
        if not heavy
        else ", ".join(f"{n} took {t} round trips" for n, t in heavy.items()),
        pitfall="several round trips per operation: slower, and a crash can fall between them (an apply "
        "without its ack); use one command or one Lua script",
        **{f"trips_{k}": v for k, v in trips.items()},
    )


CHECKS = (
    api,
    replay_matches_live,
    long_replay,
    acked,
    crash_recovery,
    big_claim,
    redelivery_once,
    snapshot_tail,
    one_round_trip,
)
