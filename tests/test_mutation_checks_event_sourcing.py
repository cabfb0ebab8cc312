"""The event-sourcing checks decide right: each wrong solution fails the check it breaks, naming its
pitfall, and the reference passes each check with the message a learner reads.

In this process, on the embedded backend (``make mutate`` sees a mutated check here); the wrong
solutions are the reference with one function replaced, as a learner would write them (several are
drills/event-sourcing/wrong/*.py, which the practice corpus grades in a child process). Figures that
depend on the seeded log are computed from the same seed, not copied, so the log's size can change.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from mutation_support import corpus_module, embedded_ctx  # noqa: F401 (the ctx fixture)
from mutation_support import fails as _fails

from redisprep.drills.check_helpers import NO_KNOWN_PITFALL, variant
from redisprep.drills.context import DrillContext
from redisprep.drills.event_sourcing import checks, diagnosis
from redisprep.drills.event_sourcing import reference as es
from redisprep.drills.event_sourcing.workload import (
    CRASHED_READ,
    DEPOSIT,
    EVENTS,
    GROUP,
    NEVER_ACKS,
    NEVER_RECLAIMS,
    READ_FROM_ZERO,
    REPLAY_LAST_ID,
    keys,
    make_events,
    seed_log,
    snapshot_events,
)
from redisprep.drills.runner import operation_costs

DUPLICATES = (
    "at-least-once delivery means duplicates: applying every delivery double-counts; make apply "
    "idempotent (XACK first in the same script, and apply only if it acknowledged the entry)"
)
RETURNS = "apply must return True the first time and False for an entry already acknowledged"
TAIL = (
    "the tail starts AFTER the snapshot's last id (XRANGE stream (id +): starting at the id itself "
    "applies that event twice"
)
GROUP_PITFALL = (
    "create_group must create the stream (MKSTREAM) and tolerate an existing group (catch BUSYGROUP)"
)
APPEND_ID = "append must return the entry id XADD assigned"
MAXLEN = "append ignores maxlen: pass XADD MAXLEN ~ n so the log is trimmed"
TRIPS = (
    "several round trips per operation: slower, and a crash can fall between them (an apply without "
    "its ack); use one command or one Lua script"
)


def _ack_only(r: Any, stream: str, group: str, projection: str, entry: Any) -> bool:
    """An apply that acknowledges the entry and forgets to change the projection."""
    return bool(r.xack(stream, group, entry[0]))


def _read_from_zero(r: Any, stream: str, group: str, consumer: str, count: int) -> Any:
    return es.read_pending(r, stream, group, consumer, count)


# --- the reference passes, with the message the learner reads ----------------------------------

PASSING = {
    checks.replay_matches_live: f"{EVENTS} events logged; live projection = log, replay = log, replay "
    "ends at the newest entry",
    checks.acked: f"processed {EVENTS} of {EVENTS} entries (want {EVENTS}); 0 still pending (XPENDING, "
    "want 0); projection equals the log",
    checks.crash_recovery: f"A read {CRASHED_READ} and crashed; B processed {EVENTS - CRASHED_READ}; "
    f"pending {CRASHED_READ} -> 0 after claiming {CRASHED_READ} in 1 call(s); 0 of {EVENTS} events lost; "
    "projection equals the log",
    checks.redelivery_once: "one deposit of 100, delivered 2 times (XPENDING) and handed to apply 3 "
    "times: balance 100 (counted 1x, want 1x); apply returned [True, False, False] (want [True, False, "
    "False])",
    checks.snapshot_tail: f"snapshot at {checks.SNAPSHOT_AT} + tail of {EVENTS - checks.SNAPSHOT_AT} = "
    f"full replay of {EVENTS} (balances total off by 0); after trimming the first {checks.SNAPSHOT_AT}, "
    "snapshot + tail = full, a replay from the start ≠ full",
    checks.one_round_trip: "every operation took 1 round trip",
}


@pytest.mark.parametrize("check", list(PASSING), ids=lambda c: c.id)
def test_the_reference_passes_each_check_with_its_message(ctx: DrillContext, check: Any) -> None:
    result = check.run(ctx, es)
    assert (result.status, result.message, result.pitfall) == ("pass", PASSING[check], None)


def test_the_reference_measures_what_it_says(ctx: DrillContext) -> None:
    assert checks.replay_matches_live.run(ctx, es).measured == {"logged": EVENTS, "live_equals_replay": True}
    assert checks.acked.run(ctx, es).measured == {"pending": 0, "handed": EVENTS}
    assert checks.crash_recovery.run(ctx, es).measured == {
        "pending_before": CRASHED_READ,
        "pending_after": 0,
        "claimed": CRASHED_READ,
        "claimed_too_early": 0,
        "lost": 0,
        "projection_equal": True,
        "deleted_probed": 1,  # one deleted pending entry, for claim to name
    }
    assert checks.redelivery_once.run(ctx, es).measured == {
        "delivered": 2,
        "handed": 3,
        "balance": 100,
        "applied_times": 1,
    }
    assert checks.snapshot_tail.run(ctx, es).measured == {"off_by": 0, "trimmed_replay_equal": False}
    assert checks.one_round_trip.run(ctx, es).measured == {
        "trips_append": 1,
        "trips_read": 1,
        "trips_apply": 1,
        "trips_claim": 1,
    }


@pytest.mark.parametrize(
    ("check", "tag", "label", "count"),
    [
        (checks.replay_matches_live, "replay", "replay", EVENTS),
        (checks.acked, "ack", "ack", EVENTS),
        (checks.crash_recovery, "crash", "crash", EVENTS),
        (checks.one_round_trip, "trips", "trips", 5),
    ],
    ids=lambda v: getattr(v, "id", None) or str(v),
)
def test_each_check_logs_the_events_its_seed_gives(
    ctx: DrillContext, check: Any, tag: str, label: str, count: int
) -> None:
    """The same seed, the same log: a run is reproducible (``drill run --seed``)."""
    assert check.run(ctx, es).status == "pass"
    logged = [fields for _, fields in ctx.r.xrange(ctx.key("es", "{" + tag + "}", "events"))]
    measured = [{"type": "deposit", "account": "acct:ann", "amount": "10"}] if tag == "trips" else []
    assert logged == make_events(ctx.fork_rng(label), count) + measured


# --- replay matches the live projection ---------------------------------------------------------


def test_reading_from_zero_leaves_the_live_projection_behind(ctx: DrillContext) -> None:
    result = checks.replay_matches_live.run(ctx, variant(es, read=_read_from_zero))
    _fails(result, READ_FROM_ZERO)  # the group handed nothing out (last-delivered-id 0-0)
    assert result.message == (
        f"{EVENTS} events logged; live projection ≠ log, replay = log, replay ends at the newest entry"
    )
    assert result.measured == {"logged": EVENTS, "live_equals_replay": False}


def test_a_replay_without_its_last_id_fails_replay_matches_live(ctx: DrillContext) -> None:
    def replay(r: Any, stream: str, after: Any = None, state: Any = None) -> Any:
        return es.replay(r, stream, after, state)[0], after

    result = checks.replay_matches_live.run(ctx, variant(es, replay=replay))
    _fails(result, diagnosis.SOURCE_OF_TRUTH)
    assert result.message.endswith("; live projection = log, replay = log, replay ends at None")


def test_a_replay_that_drops_the_newest_entry_fails_replay_matches_live(ctx: DrillContext) -> None:
    def replay(r: Any, stream: str, after: Any = None, state: Any = None) -> Any:
        entries = r.xrange(stream)[:-1]
        return es.fold(state or {}, entries), entries[-1][0]

    result = checks.replay_matches_live.run(ctx, variant(es, replay=replay))
    _fails(result, diagnosis.SOURCE_OF_TRUTH)
    second_newest = ctx.r.xrevrange(ctx.key("es", "{replay}", "events"), count=2)[1][0]
    assert result.message == (
        f"{EVENTS} events logged; live projection = log, replay ≠ log, replay ends at {second_newest!r}"
    )
    assert result.measured == {"logged": EVENTS, "live_equals_replay": False}


def test_an_append_that_logs_twice_fails_replay_matches_live(ctx: DrillContext) -> None:
    def twice(r: Any, stream: str, event: Any, maxlen: Any = None) -> str:
        es.append(r, stream, event, maxlen)
        return es.append(r, stream, event, maxlen)

    result = checks.replay_matches_live.run(ctx, variant(es, append=twice))
    _fails(result, diagnosis.SOURCE_OF_TRUTH)
    assert result.message == (
        f"{2 * EVENTS} events logged; live projection = log, replay = log, replay ends at the newest entry"
    )


def test_acking_without_applying_fails_replay_matches_live_not_blaming_the_group(ctx: DrillContext) -> None:
    """The group handed out everything (delivered up to the newest id, nothing pending), as a group
    created at '$' also looks; but here the entries reached apply, so the group is not the mistake."""
    result = checks.replay_matches_live.run(ctx, variant(es, apply=_ack_only))
    _fails(result, diagnosis.SOURCE_OF_TRUTH)
    assert result.message == (
        f"{EVENTS} events logged; live projection ≠ log, replay = log, replay ends at the newest entry"
    )


def test_no_group_and_no_read_yet_fails_replay_matches_live(ctx: DrillContext) -> None:
    """A learner who has not written create_group and read yet: the stream has no group to ask."""
    unwritten = variant(es, create_group=lambda r, stream, group, start="0": None, read=lambda *args: [])
    _fails(checks.replay_matches_live.run(ctx, unwritten), diagnosis.SOURCE_OF_TRUTH)


def test_a_read_dropping_xreadgroups_reply_is_not_blamed_on_the_group(ctx: DrillContext) -> None:
    """A read that takes the whole log and returns none of it: delivered up to the newest id, as a
    group created at '$' looks, but every entry is pending."""

    def dropped(r: Any, stream: str, group: str, consumer: str, count: int) -> list[Any]:
        r.xreadgroup(group, consumer, {stream: ">"})
        return []

    _fails(checks.replay_matches_live.run(ctx, variant(es, read=dropped)), diagnosis.SOURCE_OF_TRUTH)


def test_a_replay_of_its_own_that_adds_withdrawals_fails_naming_them(ctx: DrillContext) -> None:
    """apply (the reference's script) is right; only replay, folding by hand, adds every amount."""

    def replay(r: Any, stream: str, after: Any = None, state: Any = None) -> Any:
        balances, last = dict(state or {}), after
        for entry_id, event in r.xrange(stream, min="-" if after is None else f"({after}"):
            balances[event["account"]] = balances.get(event["account"], 0) + int(event["amount"])
            last = entry_id
        return balances, last

    result = checks.replay_matches_live.run(ctx, variant(es, replay=replay))
    _fails(result, diagnosis.WITHDRAW_ADDS)
    assert result.message == (
        f"{EVENTS} events logged; live projection = log, replay ≠ log, replay ends at the newest entry"
    )


def test_a_replay_with_a_zero_balance_kept_passes(ctx: DrillContext) -> None:
    """Balances compare without zero entries: an account folded to 0 is the same as no account."""

    def replay(r: Any, stream: str, after: Any = None, state: Any = None) -> Any:
        balances, last = es.replay(r, stream, after, state)
        return {**balances, "acct:nobody": 0}, last

    assert checks.replay_matches_live.run(ctx, variant(es, replay=replay)).status == "pass"


# --- acknowledgements ---------------------------------------------------------------------------


def test_never_acking_fails_acked(ctx: DrillContext) -> None:
    result = checks.acked.run(ctx, variant(es, apply=es.naive_apply_without_ack))
    _fails(result, NEVER_ACKS)
    assert result.message == (
        f"processed {EVENTS} of {EVENTS} entries (want {EVENTS}); {EVENTS} still pending (XPENDING, want 0); "
        "projection equals the log"
    )
    assert result.measured == {"pending": EVENTS, "handed": EVENTS}


def test_reading_from_zero_fails_acked(ctx: DrillContext) -> None:
    result = checks.acked.run(ctx, variant(es, read=_read_from_zero))
    _fails(result, READ_FROM_ZERO)
    assert result.message == (
        f"processed 0 of {EVENTS} entries (want {EVENTS}); 0 still pending (XPENDING, want 0); "
        "projection differs from the log"
    )
    assert result.measured == {"pending": 0, "handed": 0}


def test_acking_without_applying_fails_acked(ctx: DrillContext) -> None:
    result = checks.acked.run(ctx, variant(es, apply=_ack_only))
    _fails(result, NO_KNOWN_PITFALL)
    assert result.message.endswith("; 0 still pending (XPENDING, want 0); projection differs from the log")


def test_every_entry_handed_over_twice_fails_acked(ctx: DrillContext) -> None:
    """apply is idempotent, so the balances and the pending list are right: only the count is off."""

    def doubled(r: Any, stream: str, group: str, consumer: str, count: int) -> Any:
        return [e for e in es.read(r, stream, group, consumer, count) for _ in (1, 2)]

    result = checks.acked.run(ctx, variant(es, read=doubled))
    _fails(result, NO_KNOWN_PITFALL)
    assert result.message == (
        f"processed {2 * EVENTS} of {EVENTS} entries (want {EVENTS}); 0 still pending (XPENDING, want 0); "
        "projection equals the log"
    )


# --- crash recovery -----------------------------------------------------------------------------


def test_never_reclaiming_fails_crash_recovery(ctx: DrillContext) -> None:
    result = checks.crash_recovery.run(ctx, variant(es, claim=es.naive_claim_new_only))
    _fails(result, NEVER_RECLAIMS)
    assert result.message == (
        f"A read {CRASHED_READ} and crashed; B processed {EVENTS - CRASHED_READ}; pending {CRASHED_READ} -> "
        f"{CRASHED_READ} after claiming 0 in 1 call(s); {CRASHED_READ} of {EVENTS} events lost; projection "
        "differs from the log"
    )
    assert result.measured == {
        "pending_before": CRASHED_READ,
        "pending_after": CRASHED_READ,
        "claimed": 0,
        "claimed_too_early": 0,
        "lost": CRASHED_READ,
        "projection_equal": False,
        "deleted_probed": 1,  # one deleted pending entry, for claim to name
    }


def test_a_claim_ignoring_min_idle_fails_crash_recovery(ctx: DrillContext) -> None:
    def greedy(
        r: Any, stream: str, group: str, consumer: str, min_idle_ms: int, start: str = "0-0", count: int = 100
    ) -> Any:
        return es.claim(r, stream, group, consumer, 0, start, count)

    result = checks.crash_recovery.run(ctx, variant(es, claim=greedy))
    _fails(result, diagnosis.IGNORES_MIN_IDLE)
    assert result.message == PASSING[checks.crash_recovery]
    assert result.measured["claimed_too_early"] == CRASHED_READ


def test_never_acking_fails_crash_recovery_as_pending_for_ever(ctx: DrillContext) -> None:
    result = checks.crash_recovery.run(ctx, variant(es, apply=es.naive_apply_without_ack))
    _fails(result, diagnosis.RECLAIMED_NOT_ACKED)
    assert result.measured["pending_after"] == EVENTS and result.measured["claimed"] == EVENTS


def test_reading_from_zero_fails_crash_recovery(ctx: DrillContext) -> None:
    result = checks.crash_recovery.run(ctx, variant(es, read=_read_from_zero))
    _fails(result, READ_FROM_ZERO)
    assert result.message.startswith("A read 0 and crashed; B processed 0; pending 0 -> 0 after claiming 0")
    assert result.measured["lost"] == EVENTS


def test_acking_without_applying_fails_crash_recovery(ctx: DrillContext) -> None:
    result = checks.crash_recovery.run(ctx, variant(es, apply=_ack_only))
    _fails(result, diagnosis.APPLIED_TWICE_OR_NOT)
    assert result.measured["lost"] == 0 and result.measured["projection_equal"] is False
    assert result.message.endswith(f"; 0 of {EVENTS} events lost; projection differs from the log")


def test_a_claim_that_acks_what_it_does_not_hand_over_loses_entries(ctx: DrillContext) -> None:
    def half(
        r: Any, stream: str, group: str, consumer: str, min_idle_ms: int, start: str = "0-0", count: int = 100
    ) -> Any:
        cursor, entries, deleted = es.claim(r, stream, group, consumer, min_idle_ms, start, count)
        dropped = entries[len(entries) // 2 :]
        if dropped:
            r.xack(stream, group, *[i for i, _ in dropped])
        return cursor, entries[: len(entries) // 2], deleted

    result = checks.crash_recovery.run(ctx, variant(es, claim=half))
    _fails(result, diagnosis.APPLIED_TWICE_OR_NOT)
    lost = CRASHED_READ - CRASHED_READ // 2
    assert result.measured["lost"] == lost and result.measured["pending_after"] == 0
    assert (
        f"after claiming {CRASHED_READ // 2} in 1 call(s); {lost} of {EVENTS} events lost;" in result.message
    )


def test_a_claim_that_is_not_three_values_fails_crash_recovery(ctx: DrillContext) -> None:
    def two(
        r: Any, stream: str, group: str, consumer: str, min_idle_ms: int, start: str = "0-0", count: int = 100
    ) -> Any:
        return es.claim(r, stream, group, consumer, min_idle_ms, start, count)[:2]

    result = checks.crash_recovery.run(ctx, variant(es, claim=two))
    _fails(result, NO_KNOWN_PITFALL)
    assert result.message == "claim returned ('0-0', []); want (cursor, entries, deleted)"


# --- a redelivered entry ------------------------------------------------------------------------


def test_applying_every_delivery_fails_redelivery_once(ctx: DrillContext) -> None:
    result = checks.redelivery_once.run(ctx, variant(es, apply=es.naive_apply_unguarded))
    _fails(result, DUPLICATES)
    assert result.message == (
        "one deposit of 100, delivered 2 times (XPENDING) and handed to apply 3 times: balance 300 (counted "
        "3x, want 1x); apply returned [True, True, True] (want [True, False, False])"
    )
    assert result.measured == {"delivered": 2, "handed": 3, "balance": 300, "applied_times": 3}


def test_an_apply_returning_nothing_fails_redelivery_once(ctx: DrillContext) -> None:
    def silent(r: Any, stream: str, group: str, projection: str, entry: Any) -> None:
        es.apply(r, stream, group, projection, entry)

    result = checks.redelivery_once.run(ctx, variant(es, apply=silent))
    _fails(result, RETURNS)
    assert result.message.endswith("apply returned [None, None, None] (want [True, False, False])")


def test_an_apply_returning_one_fails_redelivery_once(ctx: DrillContext) -> None:
    """1 == True in Python, and [1, 0, 0] == [True, False, False]: the script's reply passed through."""

    def raw(r: Any, stream: str, group: str, projection: str, entry: Any) -> Any:
        return es.apply(r, stream, group, projection, entry) and 1

    assert checks.redelivery_once.run(ctx, variant(es, apply=raw)).status == "pass"


def test_deduplicating_without_acking_fails_redelivery_once(ctx: DrillContext) -> None:
    """Applied once, the right answers, but the entry stays pending: a set of seen ids instead of XACK."""

    def seen_set(r: Any, stream: str, group: str, projection: str, entry: Any) -> bool:
        if not r.sadd(stream + ":seen", entry[0]):
            return False
        r.hincrby(projection, entry[1]["account"], es.delta(entry[1]))
        return True

    result = checks.redelivery_once.run(ctx, variant(es, apply=seen_set))
    _fails(result, NEVER_ACKS)
    assert "balance 100 (counted 1x, want 1x); apply returned [True, False, False]" in result.message


def _read_twice(r: Any, stream: str, group: str, consumer: str, count: int) -> Any:
    return es.read(r, stream, group, consumer, count) * 2


@pytest.mark.parametrize(
    ("read", "got", "pitfall"), [(_read_from_zero, 0, READ_FROM_ZERO), (_read_twice, 2, NO_KNOWN_PITFALL)]
)
def test_a_read_of_not_one_entry_fails_redelivery_once_at_once(
    ctx: DrillContext, read: Any, got: int, pitfall: str
) -> None:
    result = checks.redelivery_once.run(ctx, variant(es, read=read))
    _fails(result, pitfall)
    assert result.message == (
        f"read(count=1) on a log of 1 entry never delivered returned {got} entries (want 1)"
    )
    assert result.measured == {"read": got}


def test_a_read_without_the_pending_list_shows_no_delivery(ctx: DrillContext) -> None:
    """XREADGROUP NOACK: nothing pending, nothing to claim, and the late apply's XACK counts nothing."""

    def noack(r: Any, stream: str, group: str, consumer: str, count: int) -> Any:
        reply = r.xreadgroup(group, consumer, {stream: ">"}, count=count, noack=True)
        return [(i, f) for _, entries in reply for i, f in entries]

    result = checks.redelivery_once.run(ctx, variant(es, read=noack))
    _fails(result, DUPLICATES)
    assert result.message == (
        "one deposit of 100, delivered 0 times (XPENDING) and handed to apply 2 times: balance 0 (counted "
        "0x, want 1x); apply returned [False, False] (want [True, False])"
    )


def test_a_claim_handing_the_entry_over_twice_is_applied_once(ctx: DrillContext) -> None:
    def doubled(
        r: Any, stream: str, group: str, consumer: str, min_idle_ms: int, start: str = "0-0", count: int = 100
    ) -> Any:
        cursor, entries, deleted = es.claim(r, stream, group, consumer, min_idle_ms, start, count)
        return cursor, entries * 2, deleted

    result = checks.redelivery_once.run(ctx, variant(es, claim=doubled))
    assert result.status == "pass"
    assert result.message.endswith(
        "apply returned [True, False, False, False] (want [True, False, False, False])"
    )
    assert result.measured["handed"] == 4


# --- snapshot + tail ----------------------------------------------------------------------------


def _delta_at(ctx: DrillContext, index: int) -> int:
    return es.delta(snapshot_events(ctx)[index])


def test_a_tail_from_the_snapshots_id_fails_snapshot_tail(ctx: DrillContext) -> None:
    result = checks.snapshot_tail.run(ctx, variant(es, replay=es.naive_replay_inclusive))
    _fails(result, TAIL)
    off = _delta_at(ctx, checks.SNAPSHOT_AT - 1)
    assert result.message == (
        f"snapshot at {checks.SNAPSHOT_AT} + tail of {EVENTS - checks.SNAPSHOT_AT} ≠ full replay of {EVENTS} "
        f"(balances total off by {off}); after trimming the first {checks.SNAPSHOT_AT}, snapshot + tail = "
        "full, a replay from the start ≠ full"
    )
    assert result.measured == {"off_by": off, "trimmed_replay_equal": False}


def test_a_lost_snapshot_fails_snapshot_tail_once_the_log_is_trimmed(ctx: DrillContext) -> None:
    """Without the snapshot the tail is a full replay: right until the prefix is trimmed away."""
    result = checks.snapshot_tail.run(ctx, variant(es, save_snapshot=lambda r, key, state, last_id: None))
    _fails(result, TAIL)
    prefix = sum(_delta_at(ctx, i) for i in range(checks.SNAPSHOT_AT))
    assert result.message == (
        f"snapshot at {checks.SNAPSHOT_AT} + tail of {EVENTS - checks.SNAPSHOT_AT} = full replay of {EVENTS} "
        f"(balances total off by 0); after trimming the first {checks.SNAPSHOT_AT}, snapshot + tail ≠ full, "
        "a replay from the start ≠ full"
    )
    assert prefix != 0  # so the trimmed tail really is short of the full balances


def test_a_snapshot_ignored_by_the_tail_counts_the_prefix_twice(ctx: DrillContext) -> None:
    def replay(r: Any, stream: str, after: Any = None, state: Any = None) -> Any:
        return es.replay(r, stream, None, state)

    result = checks.snapshot_tail.run(ctx, variant(es, replay=replay))
    _fails(result, TAIL)
    prefix = sum(_delta_at(ctx, i) for i in range(checks.SNAPSHOT_AT))
    assert result.measured == {"off_by": prefix, "trimmed_replay_equal": False}
    assert result.message.endswith(", snapshot + tail = full, a replay from the start ≠ full")


def test_a_tail_replay_returning_the_snapshots_id_fails_snapshot_tail(ctx: DrillContext) -> None:
    def replay(r: Any, stream: str, after: Any = None, state: Any = None) -> Any:
        balances, last = es.replay(r, stream, after, state)
        return balances, (last if after is None else after)

    result = checks.snapshot_tail.run(ctx, variant(es, replay=replay))
    _fails(result, REPLAY_LAST_ID)  # the balances are right: only the id is wrong
    assert result.measured == {"off_by": 0, "trimmed_replay_equal": False}


def test_a_replay_without_its_last_id_fails_snapshot_tail_naming_the_id(ctx: DrillContext) -> None:
    """The snapshot is saved with no last id, so the tail is a full replay: the prefix counts twice."""

    def replay(r: Any, stream: str, after: Any = None, state: Any = None) -> Any:
        return es.replay(r, stream, after, state)[0], after

    result = checks.snapshot_tail.run(ctx, variant(es, replay=replay))
    _fails(result, REPLAY_LAST_ID)
    prefix = sum(_delta_at(ctx, i) for i in range(checks.SNAPSHOT_AT))
    assert result.measured == {"off_by": prefix, "trimmed_replay_equal": False}


def test_a_replay_returning_none_after_the_newest_id_is_told_what_it_returned(ctx: DrillContext) -> None:
    """Balances all right: only the id a replay with nothing left to fold returned is wrong."""
    result = checks.snapshot_tail.run(ctx, corpus_module("event-sourcing", "replay_end_none"))
    _fails(result, diagnosis.EMPTY_TAIL_LAST_ID)
    newest = ctx.r.xrevrange(ctx.key("es", "{snap}", "events"), count=1)[0][0]
    assert result.message == (
        f"snapshot at {checks.SNAPSHOT_AT} + tail of {EVENTS - checks.SNAPSHOT_AT} = full replay of {EVENTS} "
        f"(balances total off by 0); after trimming the first {checks.SNAPSHOT_AT}, snapshot + tail = full, "
        f"a replay from the start ≠ full; a replay after the newest id returned None, want {newest!r}"
    )


def test_a_replay_that_sees_the_whole_log_after_trimming_would_be_told(ctx: DrillContext) -> None:
    """A replay from the start that adds back the trimmed prefix: the last clause says '='."""

    def replay(r: Any, stream: str, after: Any = None, state: Any = None) -> Any:
        balances, last = es.replay(r, stream, after, state)
        if after is None and int(r.xlen(stream)) == EVENTS - checks.SNAPSHOT_AT:
            balances = es.fold(balances, [("", e) for e in snapshot_events(ctx)[: checks.SNAPSHOT_AT]])
        return balances, last

    result = checks.snapshot_tail.run(ctx, variant(es, replay=replay))
    assert result.status == "pass"
    assert result.message.endswith(", snapshot + tail = full, a replay from the start = full")
    assert result.measured == {"off_by": 0, "trimmed_replay_equal": True}


# --- the API ------------------------------------------------------------------------------------


def test_the_reference_keeps_about_maxlen(ctx: DrillContext) -> None:
    result = checks.api.run(ctx, es)
    assert result.status == "pass"
    length = int(result.measured["length"] or 0)
    assert 50 <= length <= 200
    assert result.message == (
        f"append returned XADD's ids; maxlen=50 kept {length}; create_group twice did not fail"
    )


def _exact_maxlen(extra: int = 0, fixed: int | None = None) -> Any:
    def append(r: Any, stream: str, event: Any, maxlen: int | None = None) -> str:
        keep = fixed if fixed is not None else (None if maxlen is None else maxlen + extra)
        return str(r.xadd(stream, dict(event), maxlen=keep, approximate=False))

    return append


def test_an_exact_maxlen_keeps_exactly_maxlen(ctx: DrillContext) -> None:
    result = checks.api.run(ctx, variant(es, append=_exact_maxlen()))
    assert result.status == "pass"
    assert result.message == "append returned XADD's ids; maxlen=50 kept 50; create_group twice did not fail"
    assert result.measured == {"length": 50}


@pytest.mark.parametrize(("fixed", "status"), [(200, "pass"), (201, "fail")])
def test_a_log_of_more_than_200_is_not_about_50(ctx: DrillContext, fixed: int, status: str) -> None:
    result = checks.api.run(ctx, variant(es, append=_exact_maxlen(fixed=fixed)))
    assert (result.status, result.measured) == (status, {"length": fixed})
    if status == "fail":
        assert result.pitfall == MAXLEN
        assert (
            result.message
            == f"after 200 appends with maxlen=50 the log holds {fixed} entries (want about 50)"
        )


def test_an_append_ignoring_maxlen_fails_api(ctx: DrillContext) -> None:
    result = checks.api.run(
        ctx, variant(es, append=lambda r, stream, event, maxlen=None: r.xadd(stream, dict(event)))
    )
    _fails(result, MAXLEN)
    assert result.message == "after 200 appends with maxlen=50 the log holds 203 entries (want about 50)"
    assert result.measured == {"length": 203}


def test_an_append_returning_nothing_fails_api(ctx: DrillContext) -> None:
    def silent(r: Any, stream: str, event: Any, maxlen: Any = None) -> None:
        es.append(r, stream, event, maxlen)

    result = checks.api.run(ctx, variant(es, append=silent))
    _fails(result, APPEND_ID)
    ids = ", ".join([r"'\d+-\d+'"] * 3)
    want = rf"append returned \[None, None, None\] \(want the ids XADD gave: \[{ids}\]\)"
    assert re.fullmatch(want, result.message), result.message


def test_create_group_without_mkstream_fails_api(ctx: DrillContext) -> None:
    def no_mkstream(r: Any, stream: str, group: str, start: str = "0") -> None:
        r.xgroup_create(stream, group, id=start)

    result = checks.api.run(ctx, variant(es, create_group=no_mkstream))
    _fails(result, GROUP_PITFALL)
    assert result.message.startswith("create_group on a new stream, twice: ResponseError: ")


def test_create_group_letting_busygroup_escape_fails_api(ctx: DrillContext) -> None:
    def strict(r: Any, stream: str, group: str, start: str = "0") -> None:
        r.xgroup_create(stream, group, id=start, mkstream=True)

    result = checks.api.run(ctx, variant(es, create_group=strict))
    _fails(result, GROUP_PITFALL)
    assert result.message == (
        "create_group on a new stream, twice: ResponseError: BUSYGROUP Consumer Group name already exists"
    )


def test_every_api_mistake_is_listed_and_the_first_named(ctx: DrillContext) -> None:
    def strict(r: Any, stream: str, group: str, start: str = "0") -> None:
        r.xgroup_create(stream, group, id=start, mkstream=True)

    def untrimmed(r: Any, stream: str, event: Any, maxlen: Any = None) -> None:
        r.xadd(stream, dict(event))

    result = checks.api.run(ctx, variant(es, create_group=strict, append=untrimmed))
    _fails(result, GROUP_PITFALL)
    parts = result.message.split("; ")
    assert parts[0].startswith("create_group on a new stream, twice: ResponseError: BUSYGROUP")
    assert parts[1].startswith("append returned [None, None, None] (want the ids XADD gave: [")
    assert parts[2] == "after 200 appends with maxlen=50 the log holds 203 entries (want about 50)"
    result = checks.api.run(ctx, variant(es, append=untrimmed))
    _fails(result, APPEND_ID)


def _validating_append(r: Any, stream: str, event: Any, maxlen: Any = None) -> str:
    """An append that refuses an event it could not fold (a learner's validation)."""
    if event["account"] not in ("acct:ann", "acct:bob") or event["type"] != "deposit":
        raise ValueError(f"unexpected event {event!r}")
    es.delta(event)
    return es.append(r, stream, event, maxlen)


def test_the_checks_append_well_formed_deposits(ctx: DrillContext) -> None:
    assert checks.api.run(ctx, variant(es, append=_validating_append)).status == "pass"
    assert checks.one_round_trip.run(ctx, variant(es, append=_validating_append)).status == "pass"


def test_the_api_check_creates_the_group_from_the_start(ctx: DrillContext) -> None:
    starts: list[str] = []

    def create_group(r: Any, stream: str, group: str, start: str = "0") -> None:
        starts.append(start)
        assert group == GROUP
        es.create_group(r, stream, group, start)

    assert checks.api.run(ctx, variant(es, create_group=create_group)).status == "pass"
    assert starts == ["0", "0"]


# --- round trips --------------------------------------------------------------------------------


def test_apply_then_ack_in_two_round_trips_fails_one_round_trip(ctx: DrillContext) -> None:
    def apply(r: Any, stream: str, group: str, projection: str, entry: Any) -> bool:
        if r.xack(stream, group, entry[0]) == 0:
            return False
        r.hincrby(projection, entry[1]["account"], es.delta(entry[1]))
        return True

    result = checks.one_round_trip.run(ctx, variant(es, apply=apply))
    _fails(result, TRIPS)
    assert result.message == "apply took 2 round trips"
    assert result.measured == {"trips_append": 1, "trips_read": 1, "trips_apply": 2, "trips_claim": 1}


def test_reading_one_entry_per_call_fails_one_round_trip(ctx: DrillContext) -> None:
    def one_by_one(r: Any, stream: str, group: str, consumer: str, count: int) -> Any:
        return [e for _ in range(count) for e in es.read(r, stream, group, consumer, 1)]

    result = checks.one_round_trip.run(ctx, variant(es, read=one_by_one))
    _fails(result, TRIPS)
    assert result.message == "read took 2 round trips"


def test_every_heavy_operation_is_listed(ctx: DrillContext) -> None:
    def append(r: Any, stream: str, event: Any, maxlen: Any = None) -> str:
        entry_id = es.append(r, stream, event)
        r.xtrim(stream, maxlen=10_000)
        return entry_id

    def claim(
        r: Any, stream: str, group: str, consumer: str, min_idle_ms: int, start: str = "0-0", count: int = 100
    ) -> Any:
        r.xpending(stream, group)
        return es.claim(r, stream, group, consumer, min_idle_ms, start, count)

    result = checks.one_round_trip.run(ctx, variant(es, append=append, claim=claim))
    _fails(result, TRIPS)
    assert result.message == "append took 2 round trips, claim took 2 round trips"


def test_a_read_that_returns_nothing_still_has_apply_measured(ctx: DrillContext) -> None:
    result = checks.one_round_trip.run(ctx, variant(es, read=_read_from_zero))
    assert (result.status, result.message) == ("pass", "every operation took 1 round trip")


def test_the_claim_measured_takes_over_what_a_read_left(ctx: DrillContext) -> None:
    claimed: list[int] = []

    def claim(
        r: Any, stream: str, group: str, consumer: str, min_idle_ms: int, start: str = "0-0", count: int = 100
    ) -> Any:
        reply = es.claim(r, stream, group, consumer, min_idle_ms, start, count)
        claimed.append(len(reply[1]))
        assert (consumer, min_idle_ms, start, count) == ("B", 0, "0-0", 10)
        return reply

    assert checks.one_round_trip.run(ctx, variant(es, claim=claim)).status == "pass"
    assert claimed == [1]  # read 2, applied 1: one left pending for B


# --- what a check reads, and the edges of crash recovery ----------------------------------------


def _ids_only(r: Any, stream: str, group: str, consumer: str, count: int) -> list[str]:
    """A read that returns the entries' ids without their fields."""
    return [i for i, _ in es.read(r, stream, group, consumer, count)]


@pytest.mark.parametrize(
    "check", [checks.crash_recovery, checks.redelivery_once, checks.one_round_trip], ids=lambda c: c.id
)
def test_a_read_returning_ids_only_fails_naming_read(ctx: DrillContext, check: Any) -> None:
    result = check.run(ctx, variant(es, read=_ids_only))
    _fails(result, NO_KNOWN_PITFALL)
    assert re.fullmatch(r"read returned \['\d+-\d+'.*; want a list of \(id, fields\) pairs", result.message)


def _noack(r: Any, stream: str, group: str, consumer: str, count: int) -> Any:
    reply = r.xreadgroup(group, consumer, {stream: ">"}, count=count, noack=True)
    return [(i, f) for _, entries in reply for i, f in entries]


def test_a_read_without_the_pending_list_loses_the_crashed_consumers_entries(ctx: DrillContext) -> None:
    """NOACK: what A read was never pending, so nothing is left to reclaim: applied not at all."""
    result = checks.crash_recovery.run(ctx, variant(es, read=_noack))
    _fails(result, diagnosis.APPLIED_TWICE_OR_NOT)
    assert result.measured == {
        "pending_before": 0,
        "pending_after": 0,
        "claimed": 0,
        "claimed_too_early": 0,
        "lost": CRASHED_READ,
        "projection_equal": False,
        "deleted_probed": 1,  # one deleted pending entry, for claim to name
    }


def test_one_stranded_entry_never_reclaimed_is_named_so(ctx: DrillContext) -> None:
    """A read that returns one entry at a time leaves A with one pending entry: not reclaimed."""

    def one(r: Any, stream: str, group: str, consumer: str, count: int) -> Any:
        return es.read(r, stream, group, consumer, 1)

    result = checks.crash_recovery.run(ctx, variant(es, read=one, claim=es.naive_claim_new_only))
    _fails(result, NEVER_RECLAIMS)
    assert (result.measured["pending_before"], result.measured["pending_after"]) == (1, 1)
    assert result.message.startswith(f"A read 1 and crashed; B processed {EVENTS - 1}; pending 1 -> 1 ")


def test_one_entry_left_pending_after_the_sweep_is_named_so(ctx: DrillContext) -> None:
    """A claim that takes over every entry but hands back all but the last: that one stays pending."""

    def keeps_one(
        r: Any, stream: str, group: str, consumer: str, min_idle_ms: int, start: str = "0-0", count: int = 100
    ) -> Any:
        cursor, entries, deleted = es.claim(r, stream, group, consumer, min_idle_ms, start, count)
        return cursor, entries[:-1], deleted

    result = checks.crash_recovery.run(ctx, variant(es, claim=keeps_one))
    _fails(result, diagnosis.RECLAIMED_NOT_ACKED)
    assert (result.measured["pending_after"], result.measured["lost"]) == (1, 1)


def test_the_round_trip_measurements_add_no_row_to_the_drills_cost_table(ctx: DrillContext) -> None:
    """The drill's cost table leaves out the checks' own measurements (labelled "check:...")."""
    result = checks.one_round_trip.run(ctx, es)
    assert result.status == "pass"
    assert operation_costs(ctx.tracer) == ()


# --- this session's corpus variants, graded in this process ---------------------------------------


@pytest.mark.parametrize(
    ("name", "check", "pitfall"),
    [
        ("read_ignores_count", checks.crash_recovery, diagnosis.READ_IGNORES_COUNT),
        ("claim_drops_deleted", checks.crash_recovery, diagnosis.DROPS_DELETED),
        ("replay_end_none", checks.snapshot_tail, diagnosis.EMPTY_TAIL_LAST_ID),
        ("group_at_end", checks.replay_matches_live, diagnosis.GROUP_AT_END),
        ("withdraw_adds", checks.replay_matches_live, diagnosis.WITHDRAW_ADDS),
        ("type_as_account", checks.replay_matches_live, diagnosis.NOT_ACCOUNTS),
        ("reads_from_zero", checks.replay_matches_live, READ_FROM_ZERO),
        ("claim_idle_in_seconds", checks.crash_recovery, diagnosis.IGNORES_MIN_IDLE),
    ],
)
def test_a_corpus_variant_fails_its_check_naming_its_pitfall_in_process(
    ctx: DrillContext, name: str, check: Any, pitfall: str
) -> None:
    result = check.run(ctx, corpus_module("event-sourcing", name))
    _fails(result, pitfall)


def test_a_read_ignoring_count_is_told_how_many_it_took_and_asked_for(ctx: DrillContext) -> None:
    result = checks.crash_recovery.run(ctx, corpus_module("event-sourcing", "read_ignores_count"))
    _fails(result, diagnosis.READ_IGNORES_COUNT)
    took = f"A read {EVENTS} (asked for {CRASHED_READ}) and crashed; B processed 0; "
    assert result.message.startswith(took)


def test_a_claim_that_drops_deleted_ids_is_told_so_only_when_all_else_is_right(ctx: DrillContext) -> None:
    result = checks.crash_recovery.run(ctx, corpus_module("event-sourcing", "claim_drops_deleted"))
    assert result.message.endswith("; claim did not return the id of a deleted pending entry")
    assert result.measured["deleted_probed"] == 1
    assert result.measured["pending_after"] == 0


def test_the_deleted_entry_probe_logs_three_events_of_its_seed_and_deletes_the_middle(
    ctx: DrillContext,
) -> None:
    """The same seed, the same probe log (``drill run --seed``): what is left is its first and last."""
    assert checks.crash_recovery.run(ctx, es).status == "pass"
    left = [fields for _, fields in ctx.r.xrange(ctx.key("es", "{gone}", "events"))]
    first, _, last = make_events(ctx.fork_rng("gone"), 3)
    assert left == [first, last]


def test_the_early_sweeps_threshold_is_twenty_times_the_entries_idle_time(
    ctx: DrillContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[int] = []

    def claim(r: Any, stream: str, group: str, consumer: str, min_idle_ms: int, *rest: Any) -> Any:
        asked.append(min_idle_ms)
        return es.claim(r, stream, group, consumer, min_idle_ms, *rest)

    monkeypatch.setattr(checks, "idle_ms", lambda ctx, stream: 70)
    assert checks.crash_recovery.run(ctx, variant(es, claim=claim)).status == "pass"
    assert asked[0] == 1_400
    monkeypatch.setattr(checks, "idle_ms", lambda ctx, stream: 10)
    asked.clear()
    checks.crash_recovery.run(ctx, variant(es, claim=claim))
    assert asked[0] == 1_000


def test_idle_ms_is_the_longest_idle_time_of_the_groups_pending_entries(ctx: DrillContext) -> None:
    import time

    stream, _ = keys(ctx, "idle")
    seed_log(ctx, stream, [DEPOSIT, DEPOSIT])
    es.create_group(ctx.r, stream, GROUP)
    assert checks.idle_ms(ctx, stream) == 0  # nothing pending
    es.read(ctx.r, stream, GROUP, "A", 2)
    time.sleep(0.03)
    assert 30 <= checks.idle_ms(ctx, stream) < 10_000
