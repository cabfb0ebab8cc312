"""The lock checks decide right: each wrong lock fails the check it breaks, naming its pitfall, and
the reference passes each check with the message a learner reads.

In this process, on the embedded backend (``make mutate`` sees a mutated check here); the wrong
locks are the reference with one function replaced, as a learner would write them.
"""

from __future__ import annotations

import secrets
import time
from types import SimpleNamespace
from typing import Any

import pytest
from mutation_support import corpus_module, embedded_ctx  # noqa: F401 (the ctx fixture)
from mutation_support import fails as _fails

from redisprep.drills.check_helpers import NO_KNOWN_PITFALL, UnusableResultError, variant
from redisprep.drills.context import DrillContext
from redisprep.drills.lock import checks, deadline, fences, units
from redisprep.drills.lock import reference as lk
from redisprep.drills.lock.keys import TTL_MS
from redisprep.drills.runner import operation_costs


def _acquire_with(**options: Any) -> Any:
    """An acquire that sets the lock with other options than NX PX ttl_ms."""

    def acquire(r: Any, lock: str, ttl_ms: int, wait_ms: int = 0) -> str | None:
        token = secrets.token_hex(16)
        given = {k: (v(ttl_ms) if callable(v) else v) for k, v in options.items()}
        return token if r.set(lock, token, nx=True, **given) else None

    return acquire


def _clock(monkeypatch: pytest.MonkeyPatch, module: Any, step_s: float) -> None:
    """The check's own clock in ``module`` moves on ``step_s`` at each reading, so that each call the
    check times seems to take ``step_s`` (the lock under test and the server keep real time)."""
    now = [1_000.0]

    def monotonic() -> float:
        now[0] += step_s
        return now[0]

    monkeypatch.setattr(module, "time", SimpleNamespace(monotonic=monotonic))


# --- the lease ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pttl", "pitfall"),
    [
        (-2, units.PX_WITH_S),
        (-1, units.NO_EXPIRY),
        (0, units.PX_WITH_S),  # Redis's PTTL in a key's last millisecond: a lease about to run out
        (1, units.PX_WITH_S),
        (100, units.PX_WITH_S),
        (101, None),
        (9_990, None),
        (20_000, None),
        (20_001, units.EX_WITH_MS),
        (10_000_000, units.EX_WITH_MS),
    ],
)
def test_a_pttl_names_the_unit_mistake_it_shows(pttl: int, pitfall: str | None) -> None:
    assert units.ttl_pitfall(pttl, TTL_MS) == pitfall


@pytest.mark.parametrize(
    ("pttl", "text"),
    [
        (9_500, "about 10 s (of 10 s)"),
        (9_499, "about 9 s (of 10 s)"),
        (20_001, "20001 ms (want 1..10000)"),
        (1, "1 ms (want 1..10000)"),
        (0, "0 ms (want 1..10000)"),
        (-1, "-1, no expiry (want 1..10000 ms)"),
        (-2, "-2, the lock had already expired (want 1..10000 ms)"),
    ],
)
def test_a_pttl_reads_as_seconds_when_right_and_as_it_is_when_wrong(pttl: int, text: str) -> None:
    """What expires says of each PTTL: 0 and 1 are leases about to run out, not locks without expiry."""
    assert checks._pttl_text(pttl, TTL_MS) == text


def test_the_reference_lock_expires_after_its_ttl(ctx: DrillContext) -> None:
    result = checks.expires.run(ctx, lk)
    assert result.status == "pass"
    assert result.message == (
        "PTTL right after acquiring: about 10 s (of 10 s); after acquire_fenced: about 10 s (of 10 s); "
        "a second acquire was refused"
    )
    assert 9_000 < int(result.measured["pttl_ms"]) <= TTL_MS


def test_a_lock_without_expiry_fails_expires(ctx: DrillContext) -> None:
    result = checks.expires.run(ctx, variant(lk, acquire=lk.setnx_acquire))
    assert (result.status, result.pitfall) == ("fail", units.NO_EXPIRY)
    assert result.message == (
        "PTTL right after acquiring: -1, no expiry (want 1..10000 ms); "
        "after acquire_fenced: about 10 s (of 10 s); a second acquire was refused"
    )
    assert result.measured["pttl_ms"] == -1


def test_ttl_ms_given_to_ex_fails_expires(ctx: DrillContext) -> None:
    result = checks.expires.run(ctx, variant(lk, acquire=_acquire_with(ex=lambda ms: ms)))
    assert (result.status, result.pitfall) == ("fail", units.EX_WITH_MS)
    pttl = int(result.measured["pttl_ms"])
    assert 9_990_000 < pttl <= 10_000_000
    assert (
        result.message == f"PTTL right after acquiring: {pttl} ms (want 1..10000); "
        "after acquire_fenced: about 10 s (of 10 s); a second acquire was refused"
    )


def test_ttl_ms_divided_by_1000_fails_expires(ctx: DrillContext) -> None:
    result = checks.expires.run(ctx, variant(lk, acquire=_acquire_with(px=lambda ms: ms // 1000)))
    assert (result.status, result.pitfall) == ("fail", units.PX_WITH_S)


def test_a_lease_gone_before_the_check_looked_is_blamed_as_too_short(ctx: DrillContext) -> None:
    gone = variant(lk, acquire=lambda r, lock, ttl_ms, wait_ms=0: secrets.token_hex(16))  # never sets it
    result = checks.expires.run(ctx, gone)
    assert (result.status, result.pitfall) == ("fail", units.PX_WITH_S)
    assert result.message.startswith(
        "PTTL right after acquiring: -2, the lock had already expired (want 1..10000 ms)"
    )


def test_a_second_acquire_that_also_succeeds_fails_expires(ctx: DrillContext) -> None:
    def always(r: Any, lock: str, ttl_ms: int, wait_ms: int = 0) -> str:
        token = secrets.token_hex(16)
        r.set(lock, token, px=ttl_ms)  # no NX: takes the lock whoever holds it
        return token

    result = checks.expires.run(ctx, variant(lk, acquire=always))
    assert result.status == "fail"
    assert result.pitfall == "a held lock must refuse a second acquire: SET ... NX"
    assert "; a second acquire also succeeded (returned '" in result.message
    assert result.message.endswith("'; want None)")


def test_a_lock_that_cannot_be_taken_fails_expires(ctx: DrillContext) -> None:
    result = checks.expires.run(ctx, variant(lk, acquire=lambda r, lock, ttl_ms, wait_ms=0: None))
    assert (result.status, result.message) == ("fail", "could not take a free lock")
    assert result.pitfall == "acquire must succeed on a free lock"


def test_an_acquire_that_fails_before_acquire_fenced_is_written_fails_expires_on_acquire(
    ctx: DrillContext,
) -> None:
    """A learner midway: acquire is wrong and acquire_fenced still the starter's TODO."""

    def todo(r: Any, lock: str, ttl_ms: int) -> Any:
        raise NotImplementedError("TODO: acquire_fenced")

    result = checks.expires.run(
        ctx, variant(lk, acquire=lambda r, lock, ttl_ms, wait_ms=0: None, acquire_fenced=todo)
    )
    assert (result.status, result.message) == ("fail", "could not take a free lock")


def test_an_acquire_fenced_that_cannot_take_a_free_lock_fails_expires(ctx: DrillContext) -> None:
    result = checks.expires.run(ctx, variant(lk, acquire_fenced=lambda r, lock, ttl_ms: None))
    _fails(result, "acquire must succeed on a free lock")
    assert result.message == "could not take a free lock"


@pytest.mark.parametrize(
    ("name", "unit"), [("fenced_no_expiry", units.NO_EXPIRY), ("fenced_ex_with_ms", units.EX_WITH_MS)]
)
def test_acquire_fenced_in_the_wrong_unit_fails_expires_naming_acquire_fenced(
    ctx: DrillContext, name: str, unit: str
) -> None:
    result = checks.expires.run(ctx, corpus_module("lock", name))
    _fails(result, f"acquire_fenced: {unit}")
    fenced_pttl = int(result.measured["fenced_pttl_ms"])
    assert result.message == (
        f"PTTL right after acquiring: about 10 s (of 10 s); after acquire_fenced: "
        f"{checks._pttl_text(fenced_pttl, TTL_MS)}; a second acquire was refused"
    )
    assert fenced_pttl == -1 if unit == units.NO_EXPIRY else 9_990_000 < fenced_pttl <= 10_000_000


# --- tokens -------------------------------------------------------------------------------------


def test_the_reference_gives_three_different_tokens(ctx: DrillContext) -> None:
    result = checks.tokens.run(ctx, lk)
    assert (result.status, result.pitfall) == ("pass", None)
    assert "(all different); release returned True (want True)" in result.message


def test_one_token_for_every_holder_fails_tokens(ctx: DrillContext) -> None:
    fixed = variant(
        lk, acquire=lambda r, lock, ttl_ms, wait_ms=0: "t" if r.set(lock, "t", nx=True, px=ttl_ms) else None
    )
    result = checks.tokens.run(ctx, fixed)
    assert (result.status, result.pitfall) == ("fail", checks.FIXED_TOKEN)
    assert result.message == "tokens ['t', 't', 't'] (repeated); release returned True (want True)"


def test_a_release_returning_nothing_fails_tokens(ctx: DrillContext) -> None:
    result = checks.tokens.run(
        ctx, variant(lk, release=lambda r, lock, token: lk.release(r, lock, token) and None)
    )
    assert (result.status, result.pitfall) == ("fail", checks.RELEASE_RETURNS)
    assert result.message.endswith("(all different); release returned None (want True)")


def test_a_release_returning_one_fails_tokens(ctx: DrillContext) -> None:
    """1 == True in Python, but the interface promises a bool: ``freed is True`` is the check."""
    result = checks.tokens.run(
        ctx, variant(lk, release=lambda r, lock, token: int(lk.release(r, lock, token)))
    )
    assert (result.status, result.pitfall) == ("fail", checks.RELEASE_RETURNS)


def test_a_release_that_frees_but_says_false_fails_tokens(ctx: DrillContext) -> None:
    result = checks.tokens.run(
        ctx, variant(lk, release=lambda r, lock, token: lk.release(r, lock, token) and False)
    )
    assert (result.status, result.pitfall) == ("fail", checks.RELEASE_RETURNS)


def test_an_acquire_that_fails_once_fails_tokens(ctx: DrillContext) -> None:
    calls: list[str] = []

    def acquire(r: Any, lock: str, ttl_ms: int, wait_ms: int = 0) -> str | None:
        calls.append(lock)
        return None if len(calls) == 3 else lk.acquire(r, lock, ttl_ms)

    def release(r: Any, lock: str, token: str | None) -> bool:
        return token is not None and lk.release(r, lock, token)

    result = checks.tokens.run(ctx, variant(lk, acquire=acquire, release=release))
    assert (result.status, result.pitfall) == ("fail", "acquire must succeed on a free lock")


# --- racing and late releases -------------------------------------------------------------------


def test_check_then_act_fails_one_holder_counting_the_winners(ctx: DrillContext) -> None:
    result = checks.one_holder.run(ctx, variant(lk, acquire=lk.naive_acquire))
    assert result.status == "fail"
    assert result.message == "8 of 8 racing workers got the lock"
    assert result.measured == {"holders": 8}
    assert result.pitfall == (
        "check-then-act acquisition: GET then SET lets in every worker that saw the lock free; "
        "SET NX decides in one command"
    )


def test_the_reference_has_exactly_one_holder(ctx: DrillContext) -> None:
    result = checks.one_holder.run(ctx, lk)
    assert (result.status, result.message, result.measured) == (
        "pass",
        "1 of 8 racing workers got the lock",
        {"holders": 1},
    )


def test_nobody_winning_a_free_lock_fails_one_holder(ctx: DrillContext) -> None:
    result = checks.one_holder.run(ctx, variant(lk, acquire=lambda r, lock, ttl_ms, wait_ms=0: None))
    assert (result.status, result.measured) == ("fail", {"holders": 0})


def test_the_reference_refuses_a_late_release(ctx: DrillContext) -> None:
    result = checks.wrong_owner.run(ctx, lk)
    assert (result.status, result.pitfall) == ("pass", None)
    assert result.message == "A's late release was refused; C could not get in while B held the lock"
    assert result.measured == {"late_release_freed": False, "holders": 1}


def test_plain_del_fails_wrong_owner(ctx: DrillContext) -> None:
    result = checks.wrong_owner.run(ctx, variant(lk, release=lk.naive_release))
    assert (result.status, result.pitfall) == ("fail", checks.PLAIN_DEL)
    assert result.message == "A's late release freed B's lock; C got in while B still held it: 2 holders"
    assert result.measured == {"late_release_freed": True, "holders": 2}


def test_a_fixed_token_fails_wrong_owner(ctx: DrillContext) -> None:
    fixed = variant(
        lk, acquire=lambda r, lock, ttl_ms, wait_ms=0: "t" if r.set(lock, "t", nx=True, px=ttl_ms) else None
    )
    assert checks.wrong_owner.run(ctx, fixed).pitfall == checks.FIXED_TOKEN


def test_a_release_that_never_says_true_fails_wrong_owner(ctx: DrillContext) -> None:
    silent = variant(lk, release=lambda r, lock, token: lk.release(r, lock, token) and False)
    result = checks.wrong_owner.run(ctx, silent)
    assert (result.status, result.pitfall) == ("fail", checks.RELEASE_RETURNS)
    assert result.message.endswith("; B's own release returned False (want True)")


def test_a_release_that_always_says_true_fails_wrong_owner(ctx: DrillContext) -> None:
    boasting = variant(lk, release=lambda r, lock, token: lk.release(r, lock, token) or True)
    result = checks.wrong_owner.run(ctx, boasting)
    assert result.status == "fail"
    assert result.measured == {"late_release_freed": True, "holders": 1}
    # B kept its lock (C was refused): the release only claims it freed something
    assert result.pitfall == checks.RELEASE_CLAIMS
    assert result.message == "A's late release returned True, yet C could not get in: B still held the lock"


def test_a_lock_that_cannot_be_taken_fails_wrong_owner(ctx: DrillContext) -> None:
    result = checks.wrong_owner.run(ctx, variant(lk, acquire=lambda r, lock, ttl_ms, wait_ms=0: None))
    assert (result.status, result.message) == ("fail", "A or B could not take a free lock")
    assert result.pitfall == "acquire must succeed on a free lock"


def test_a_lock_that_can_be_taken_only_once_fails_wrong_owner(ctx: DrillContext) -> None:
    taken: list[str] = []

    def once(r: Any, lock: str, ttl_ms: int, wait_ms: int = 0) -> str | None:
        token = None if taken else lk.acquire(r, lock, ttl_ms)
        taken.extend([token] if token else [])
        return token

    result = checks.wrong_owner.run(ctx, variant(lk, acquire=once))
    assert (result.status, result.message) == ("fail", "A or B could not take a free lock")


def _no_nx(r: Any, lock: str, ttl_ms: int, wait_ms: int = 0) -> str:
    token = secrets.token_hex(16)
    r.set(lock, token, px=ttl_ms)  # no NX: takes the lock whoever holds it
    return token


def test_an_acquire_without_nx_fails_wrong_owner_with_no_known_pitfall(ctx: DrillContext) -> None:
    """A's late release is refused, but C gets in anyway: not one of the release mistakes."""
    result = checks.wrong_owner.run(ctx, variant(lk, acquire=_no_nx))
    assert (result.status, result.pitfall) == ("fail", NO_KNOWN_PITFALL)
    assert result.measured == {"late_release_freed": False, "holders": 2}


# --- waiting and round trips --------------------------------------------------------------------


def test_an_acquire_that_never_waits_fails_waits(ctx: DrillContext) -> None:
    result = checks.waits.run(
        ctx, variant(lk, acquire=lambda r, lock, ttl_ms, wait_ms=0: lk.acquire(r, lock, ttl_ms))
    )
    assert (result.status, result.pitfall) == ("fail", checks.GIVES_UP)
    assert "waiting up to 3 s: None after" in result.message
    assert result.message.endswith("s (want the lock soon after the 150 ms lease)")
    assert result.measured["lease_ms"] == checks.LEASES_MS[0]


def test_the_reference_waits_for_a_dead_holders_lease(ctx: DrillContext) -> None:
    result = checks.waits.run(ctx, lk)
    assert (result.status, result.pitfall) == ("pass", None)
    assert result.message.startswith("without waiting: None after ")
    assert "waiting up to 3 s: got it after " in result.message
    assert result.message.endswith("(want the lock soon after the 150 ms lease)")


def test_a_fixed_token_fails_waits(ctx: DrillContext) -> None:
    def fixed(r: Any, lock: str, ttl_ms: int, wait_ms: int = 0) -> str | None:
        return lk.acquire(r, lock, ttl_ms, wait_ms) and "t"

    result = checks.waits.run(ctx, variant(lk, acquire=fixed))
    assert (result.status, result.pitfall) == ("fail", checks.FIXED_TOKEN)


def test_retries_that_take_the_lock_without_expiry_fail_waits(ctx: DrillContext) -> None:
    result = checks.waits.run(ctx, corpus_module("lock", "retry_without_px"))
    _fails(result, f"{checks.RETRY}: {units.NO_EXPIRY}")
    assert result.message.endswith("(want the lock soon after the 150 ms lease, with a PTTL of about ttl_ms)")


def test_a_dead_holders_lease_in_seconds_is_blamed_when_the_wait_comes_back_empty(ctx: DrillContext) -> None:
    """ttl_ms passed to EX: the dead holder keeps the lock 150 s, so the wait gets nothing."""
    result = checks.waits.run(ctx, variant(lk, acquire=_acquire_with(ex=lambda ms: ms)))
    _fails(result, units.EX_WITH_MS)
    assert "waiting up to 3 s: None after" in result.message


def test_a_wait_that_takes_the_lock_long_after_the_lease_fails_waits(
    ctx: DrillContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """2 s for a wait whose lock came free after 150 ms: past half-way to the 3 s deadline."""
    _clock(monkeypatch, checks, 2.0)
    result = checks.waits.run(ctx, lk)
    _fails(result, checks.SLEEPS_WHOLE_WAIT)
    assert result.message == (
        "without waiting: None after 2.00 s (want None); waiting up to 3 s: got it after 2.00 s "
        "(want the lock soon after the 150 ms lease)"
    )


def test_a_wait_that_takes_the_lock_before_half_way_to_its_deadline_passes_waits(
    ctx: DrillContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """1.5 s of a 3 s wait is slow for a 150 ms lease, but short of the 1.575 s half-way mark."""
    _clock(monkeypatch, checks, 1.5)
    result = checks.waits.run(ctx, lk)
    assert (result.status, result.pitfall) == ("pass", None)


def test_waits_reports_the_seconds_each_acquire_took(
    ctx: DrillContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    _clock(monkeypatch, checks, 0.123456)
    result = checks.waits.run(ctx, lk)
    assert (result.status, result.measured) == ("pass", {"waited_s": 0.123, "lease_ms": 150})
    assert result.message == (
        "without waiting: None after 0.12 s (want None); waiting up to 3 s: got it after 0.12 s "
        "(want the lock soon after the 150 ms lease)"
    )


def test_a_fenced_write_in_two_round_trips_fails_one_round_trip(ctx: DrillContext) -> None:
    def read_then_write(r: Any, resource: str, fence: int, value: str) -> bool:
        if int(r.hget(resource, "fence") or 0) >= fence:
            return False
        r.hset(resource, mapping={"fence": fence, "value": value})
        return True

    result = checks.one_round_trip.run(ctx, variant(lk, fenced_write=read_then_write))
    assert result.message == "fenced_write took 2 round trips"
    assert result.measured["trips_fenced_write"] == 2


def test_get_then_del_fails_one_round_trip(ctx: DrillContext) -> None:
    def get_then_del(r: Any, lock: str, token: str) -> bool:
        return r.get(lock) == token and bool(r.delete(lock))

    result = checks.one_round_trip.run(ctx, variant(lk, release=get_then_del))
    assert result.status == "fail"
    assert result.message == "release took 2 round trips"
    assert result.measured["trips_release"] == 2 and result.measured["trips_refused_acquire"] == 1
    assert result.pitfall == (
        "several round trips per lock operation: GET then DEL (or GET then SET) can interleave "
        "with another client; use one command or one Lua script"
    )


def test_every_lock_operation_off_its_one_round_trip_is_listed(ctx: DrillContext) -> None:
    def get_then_del(r: Any, lock: str, token: str) -> bool:
        return r.get(lock) == token and bool(r.delete(lock))

    result = checks.one_round_trip.run(
        ctx, variant(lk, release=get_then_del, fenced_write=lambda r, s, f, v: True)
    )
    assert result.message == "release took 2 round trips, fenced_write took 0 round trips"


def test_the_reference_takes_one_round_trip_per_operation(ctx: DrillContext) -> None:
    result = checks.one_round_trip.run(ctx, lk)
    assert (result.status, result.message) == ("pass", "every operation took 1 round trip")
    assert set(result.measured.values()) == {1} and "trips_acquire_fenced" in result.measured


def test_the_reference_never_overlaps(ctx: DrillContext) -> None:
    """The figures are test_lock.py's; here the sentence the learner reads."""
    result = checks.no_overlap.run(ctx, lk)
    assert (result.status, result.message) == (
        "pass",
        "96 acquisitions, at most 1 inside at once, 0 overlaps; unguarded counter 96 of 96",
    )


def test_check_then_act_overlaps_under_contention(ctx: DrillContext) -> None:
    result = checks.no_overlap.run(ctx, variant(lk, acquire=lk.naive_acquire))
    assert result.status == "fail"
    assert result.pitfall == (
        "two holders at once: acquisition must be one atomic SET NX PX, and the TTL must outlast "
        "the critical section"
    )
    assert int(result.measured["max_inside"]) > 1


def test_a_lock_that_always_gives_up_fails_no_overlap(ctx: DrillContext) -> None:
    result = checks.no_overlap.run(ctx, variant(lk, acquire=lambda r, lock, ttl_ms, wait_ms=0: None))
    assert (result.status, result.pitfall) == ("fail", checks.GIVES_UP)
    assert result.measured == {
        "acquisitions": 0,
        "max_inside": 0,
        "overlaps": 0,
        "counter": 0,
        "gave_up": checks.WORKERS * checks.ROUNDS,
        "unexpiring": 0,
    }
    assert result.message == "0 acquisitions, at most 0 inside at once, 0 overlaps; unguarded counter 0 of 96"


def test_a_waiting_lock_without_expiry_fails_no_overlap_counting_every_such_lock(ctx: DrillContext) -> None:
    def setnx_waiting(r: Any, lock: str, ttl_ms: int, wait_ms: int = 0) -> str | None:
        token, deadline = secrets.token_hex(16), time.monotonic() + wait_ms / 1000
        while not r.setnx(lock, token):
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.0005)
        return token

    result = checks.no_overlap.run(ctx, variant(lk, acquire=setnx_waiting))
    _fails(result, f"{checks.RETRY}: {units.NO_EXPIRY}")
    assert result.message == (
        "96 acquisitions, at most 1 inside at once, 0 overlaps; unguarded counter 96 of 96; "
        "96 locks held with no expiry"
    )
    assert result.measured["unexpiring"] == 96


def test_a_section_entered_twice_counts_an_overlap_and_a_lost_update() -> None:
    section = checks.CriticalSection()
    section.inside = 1  # someone is already inside
    section.run()
    section.run()
    assert (section.inside, section.max_inside, section.overlaps, section.counter) == (1, 2, 2, 2)
    section.give_up()
    assert section.gave_up == 1


def test_the_round_trip_measurements_add_no_row_to_the_drills_cost_table(ctx: DrillContext) -> None:
    """The drill's cost table leaves out the checks' own measurements (labelled "check:...")."""
    result = checks.one_round_trip.run(ctx, lk)
    assert result.status == "pass"
    assert operation_costs(ctx.tracer) == ()


# --- fencing ------------------------------------------------------------------------------------


def test_the_reference_passes_fencing_with_the_fences_it_read(ctx: DrillContext) -> None:
    result = fences.fencing.run(ctx, lk)
    assert (result.status, result.message) == ("pass", "fences A=1, B=2; storage accepted [2]")
    assert result.measured == {"accepted": 1, "stale_accepted": 0, "increasing": True}


def test_storage_that_ignores_the_fence_fails_fencing_counting_the_stale_write(ctx: DrillContext) -> None:
    result = fences.fencing.run(ctx, corpus_module("lock", "no_fencing"))
    _fails(
        result,
        "no fencing: a holder that outlived its TTL writes after its successor and overwrites newer "
        "data; the storage must refuse fences lower than the highest it has seen",
    )
    assert result.message == "fences A=1, B=2; storage accepted [2, 1]; 1 stale write accepted"
    assert result.measured == {"accepted": 2, "stale_accepted": 1, "increasing": False}


def test_a_fence_that_never_grows_fails_fencing_and_fence_numbers(ctx: DrillContext) -> None:
    constant = corpus_module("lock", "constant_fence")
    result = fences.fencing.run(ctx, constant)
    _fails(result, fences.NOT_GROWING)
    assert result.message == "fences A=1, B=1; storage accepted [1]; 0 stale write accepted"
    result = fences.fence_numbers.run(ctx, constant)
    _fails(result, fences.NOT_GROWING)
    assert result.message.startswith(
        "fences [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1] (every other grant released)"
    )


def test_the_same_fence_twice_accepted_twice_is_no_increasing_run_of_writes(ctx: DrillContext) -> None:
    """Every grant fence 1, and a storage that ignores fences: both writes land, neither above the other."""
    both_wrong = variant(corpus_module("lock", "constant_fence"), fenced_write=lk.unfenced_write)
    result = fences.fencing.run(ctx, both_wrong)
    _fails(result, fences.NOT_GROWING)
    assert result.message == "fences A=1, B=1; storage accepted [1, 1]; 0 stale write accepted"
    assert result.measured == {"accepted": 2, "stale_accepted": 0, "increasing": False}


def test_a_storage_that_accepts_nothing_fails_fencing(ctx: DrillContext) -> None:
    result = fences.fencing.run(ctx, variant(lk, fenced_write=lambda r, resource, fence, value: False))
    assert result.status == "fail"
    assert result.message == "fences A=1, B=2; storage accepted nothing; 0 stale write accepted"
    assert result.measured == {"accepted": 0, "stale_accepted": 0, "increasing": True}


def test_an_acquire_fenced_that_grants_only_once_fails_fencing(ctx: DrillContext) -> None:
    granted: list[Any] = []

    def once(r: Any, lock: str, ttl_ms: int) -> Any:
        grant = None if granted else lk.acquire_fenced(r, lock, ttl_ms)
        granted.append(grant)
        return grant

    result = fences.fencing.run(ctx, variant(lk, acquire_fenced=once))
    _fails(result, "acquire must succeed on a free lock")
    assert result.message == "A or B could not take a free lock"


def test_an_acquire_fenced_that_cannot_take_a_free_lock_fails_both_fencing_checks(ctx: DrillContext) -> None:
    never = variant(lk, acquire_fenced=lambda r, lock, ttl_ms: None)
    result = fences.fencing.run(ctx, never)
    _fails(result, "acquire must succeed on a free lock")
    assert result.message == "A or B could not take a free lock"
    result = fences.fence_numbers.run(ctx, never)
    _fails(result, fences.NOT_GROWING)
    assert result.message.startswith("fences [None, None, None,")


def test_a_fence_returned_as_text_fails_both_fencing_checks_naming_it(ctx: DrillContext) -> None:
    as_text = corpus_module("lock", "fence_as_text")
    for check in (fences.fencing, fences.fence_numbers):
        result = check.run(ctx, as_text)
        _fails(result, fences.FENCE_AS_TEXT)
        assert result.message.startswith("acquire_fenced returned ('")
        assert result.message.endswith("', '1'); want (token, fence) with the fence a number")


def test_the_reference_passes_fence_numbers_past_one_digit(ctx: DrillContext) -> None:
    result = fences.fence_numbers.run(ctx, lk)
    assert (result.status, result.pitfall) == ("pass", None)
    assert result.message == (
        "fences [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] (every other grant released); the storage "
        "accepted [True, True, True, False, False] for fences 9, 10, 11, 11, 10 "
        "(want [True, True, True, False, False])"
    )


@pytest.mark.parametrize(
    ("name", "pitfall", "accepted"),
    [
        (
            "text_fences",
            "fences compared as text ('10' < '9'): convert with tonumber() in Lua or int() in Python",
            "[True, False, False, False, False]",
        ),
        (
            "equal_fence_accepted",
            "the storage accepted the same fence twice (11 after 11): refuse a fence equal to the "
            "highest accepted too (compare with >, not >=)",
            "[True, True, True, True, False]",
        ),
        (
            "no_fencing",
            "the storage must refuse a fence not above the highest it accepted (10 after 11)",
            "[True, True, True, True, True]",
        ),
    ],
)
def test_a_storage_that_compares_fences_wrong_fails_fence_numbers(
    ctx: DrillContext, name: str, pitfall: str, accepted: str
) -> None:
    result = fences.fence_numbers.run(ctx, corpus_module("lock", name))
    _fails(result, pitfall)
    assert result.message.startswith("fences [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] (every other")
    assert f"the storage accepted {accepted} for fences 9, 10, 11, 11, 10" in result.message


def test_a_release_that_deletes_the_fence_counter_fails_fence_numbers(ctx: DrillContext) -> None:
    result = fences.fence_numbers.run(ctx, corpus_module("lock", "release_resets_fence"))
    _fails(result, fences.RESET_BY_RELEASE)
    assert result.message.startswith("fences [1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2] (every other")


def test_a_release_that_hands_its_fence_back_fails_fence_numbers(ctx: DrillContext) -> None:
    """release DECRs the counter: the grant after each released one repeats its fence."""

    def release(r: Any, lock: str, token: str) -> bool:
        freed = lk.release(r, lock, token)
        r.decr(lk.fence_key(lock))
        return freed

    result = fences.fence_numbers.run(ctx, variant(lk, release=release))
    _fails(result, fences.NOT_GROWING)
    assert result.message.startswith(
        "fences [1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7] (every other grant released)"
    )


def test_a_storage_that_refuses_a_fence_it_never_saw_fails_fence_numbers_without_a_known_pitfall(
    ctx: DrillContext,
) -> None:
    """11 refused the first time: none of the comparison mistakes the check names."""

    def capped(r: Any, resource: str, fence: int, value: str) -> bool:
        return fence <= 10 and lk.fenced_write(r, resource, fence, value)

    result = fences.fence_numbers.run(ctx, variant(lk, fenced_write=capped))
    _fails(result, NO_KNOWN_PITFALL)
    assert "the storage accepted [True, True, False, False, False] for fences" in result.message


@pytest.mark.parametrize(
    ("grant", "want"),
    [(None, None), (("t", 3), ("t", 3)), (["t", 12.0], ("t", 12)), (("t", True), ("t", 1))],
)
def test_a_usable_grant_is_read_as_token_and_numeric_fence(grant: Any, want: Any) -> None:
    assert fences.grant_of(grant) == want


@pytest.mark.parametrize("fence", ["3", b"3"])
def test_a_fence_as_text_is_unusable_naming_the_mistake(fence: Any) -> None:
    with pytest.raises(UnusableResultError) as raised:
        fences.grant_of(("t", fence))
    assert raised.value.pitfall == fences.FENCE_AS_TEXT
    assert (
        str(raised.value)
        == f"acquire_fenced returned ('t', {fence!r}); want (token, fence) with the fence a number"
    )


@pytest.mark.parametrize("grant", ["token", 7, ("t", None), ("t", 1, 2), ("t", [1])])
def test_a_grant_that_is_no_pair_with_a_number_is_unusable(grant: Any) -> None:
    with pytest.raises(UnusableResultError) as raised:
        fences.grant_of(grant)
    assert raised.value.pitfall is None
    assert str(raised.value) == f"acquire_fenced returned {grant!r}; want (token, fence) or None"


@pytest.mark.parametrize(
    ("fences_seen", "restarted"),
    [
        ([1, 2, 1, 2, 1, 2], True),  # back to 1 after each released grant (the 2nd, 4th, ...)
        ([1, 2, 3, 4], False),  # no drop at all
        ([1, 1, 1, 1], False),  # the first drop follows a grant left to expire
        ([1, 2, 3, 1], False),  # back to 1 after an expired grant (the 3rd)
        ([1, 2, 2, 3], False),  # a drop, but not to 1
        ([1, 2, None, 1], False),  # a grant refused
        ([2, 3, 1, 1], False),  # 1 again after the 3rd grant, which expired
        ([3, 1, 2, 3, 1], False),  # the drop after the first grant (expired) rules it out
        ([0, 1, 1], True),  # 1 again right after the 2nd grant, released (0 is no drop to 1)
        ([0, 0, 1, 2, 1], False),  # 0 again after 0: a drop, not back to 1
    ],
)
def test_restart_after_release_is_every_drop_back_to_1_after_a_released_grant(
    fences_seen: list[int | None], restarted: bool
) -> None:
    assert fences._restart_after_release(fences_seen) is restarted


# --- the deadline of a waiting acquire ----------------------------------------------------------


def test_the_reference_gives_up_within_its_wait(ctx: DrillContext) -> None:
    result = deadline.gives_up.run(ctx, lk)
    assert (result.status, result.pitfall) == ("pass", None)
    assert result.message.startswith(
        "while another holder's 3000 ms lease ran, acquire(wait_ms=1) returned None after "
    )
    assert result.message.endswith(" s (want None within 0.5 s)")


def test_a_wait_in_seconds_fails_gives_up(ctx: DrillContext) -> None:
    result = deadline.gives_up.run(ctx, corpus_module("lock", "wait_in_seconds"))
    _fails(result, deadline.WAIT_IN_SECONDS)
    assert "acquire(wait_ms=1) returned None after 1." in result.message


@pytest.mark.parametrize(
    ("acquire", "step_s", "pitfall", "returned"),
    [
        (lk.acquire, 1.0, deadline.WAIT_IN_SECONDS, "None after 1.000 s"),  # 1 ms waited as 1 s
        (lk.acquire, 2.0, NO_KNOWN_PITFALL, "None after 2.000 s"),  # too late, but not by 1000
        (_no_nx, 3.0, deadline.NO_DEADLINE, "a token after 3.000 s"),  # took it when the lease ran out
        (_no_nx, 2.0, NO_KNOWN_PITFALL, "a token after 2.000 s"),  # took a held lock, lease still running
        (lk.setnx_acquire, 1.0, units.NO_EXPIRY, "None after 1.000 s"),  # the holder's lease is the mistake
    ],
)
def test_a_wait_that_ends_late_fails_gives_up_naming_how(
    ctx: DrillContext,
    monkeypatch: pytest.MonkeyPatch,
    acquire: Any,
    step_s: float,
    pitfall: str,
    returned: str,
) -> None:
    """Each acquire(wait_ms=1) seems to take ``step_s`` on the check's clock."""
    _clock(monkeypatch, deadline, step_s)
    result = deadline.gives_up.run(ctx, variant(lk, acquire=acquire))
    _fails(result, pitfall)
    assert result.message == (
        f"while another holder's 3000 ms lease ran, acquire(wait_ms=1) returned {returned} "
        "(want None within 0.5 s)"
    )


def test_an_acquire_that_takes_a_held_lock_at_once_fails_gives_up(
    ctx: DrillContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    _clock(monkeypatch, deadline, 0.123456)
    result = deadline.gives_up.run(ctx, variant(lk, acquire=_no_nx))
    _fails(result, NO_KNOWN_PITFALL)
    assert result.measured == {"waited_s": 0.123}
    assert "acquire(wait_ms=1) returned a token after 0.123 s" in result.message


def test_a_lock_that_cannot_be_taken_fails_gives_up(ctx: DrillContext) -> None:
    result = deadline.gives_up.run(ctx, variant(lk, acquire=lambda r, lock, ttl_ms, wait_ms=0: None))
    assert (result.status, result.message) == ("fail", "could not take a free lock")
    assert result.pitfall == "acquire must succeed on a free lock"
