"""The lock drill: the reference passes every check; each naive lock fails the way the drill says."""

from __future__ import annotations

from typing import Any

import pytest

from redisprep.backends import Backend
from redisprep.drills import run_drill
from redisprep.drills.context import DrillContext
from redisprep.drills.lock import checks, fences, units
from redisprep.drills.lock import reference as lk
from redisprep.drills.lock.steps import CHECK_THEN_ACT, DEL_RELEASE, REDIS_PY, SETNX, UNFENCED


def test_eight_workers_twelve_times_never_overlap(ctx: DrillContext) -> None:
    result = checks.no_overlap.run(ctx, lk)
    assert (checks.WORKERS, checks.ROUNDS) == (8, 12)
    assert result.measured == {
        "acquisitions": 96,
        "max_inside": 1,
        "overlaps": 0,
        "counter": 96,
        "gave_up": 0,
        "unexpiring": 0,
    }


def test_check_then_act_lets_every_racing_worker_in(ctx: DrillContext) -> None:
    result = checks.one_holder.run(ctx, CHECK_THEN_ACT)
    assert not result.passed
    assert result.measured["holders"] == checks.WORKERS  # lockstep: all 8 read nil, all 8 SET
    assert "check-then-act" in (result.pitfall or "")


def test_plain_del_frees_the_next_holders_lock(ctx: DrillContext) -> None:
    result = checks.wrong_owner.run(ctx, DEL_RELEASE)
    assert not result.passed
    assert result.measured == {"late_release_freed": True, "holders": 2}
    assert "plain DEL" in (result.pitfall or "")


def test_setnx_lock_never_expires(ctx: DrillContext) -> None:
    result = checks.expires.run(ctx, SETNX)
    assert not result.passed
    assert result.measured["pttl_ms"] == -1
    assert "without expiry" in (result.pitfall or "")


def test_unfenced_storage_accepts_the_stale_write(ctx: DrillContext) -> None:
    result = fences.fencing.run(ctx, UNFENCED)
    assert not result.passed
    assert result.measured == {"accepted": 2, "stale_accepted": 1, "increasing": False}
    assert "accepted [2, 1]" in result.message


def test_two_round_trip_acquire_is_caught(ctx: DrillContext) -> None:
    result = checks.one_round_trip.run(ctx, CHECK_THEN_ACT)
    assert not result.passed
    assert result.measured["trips_acquire"] == 2  # GET, then SET
    assert result.measured["trips_refused_acquire"] == 1


@pytest.mark.parametrize("check", [checks.expires, checks.one_holder, checks.wrong_owner], ids=lambda c: c.id)
def test_redis_py_lock_passes_the_same_checks(ctx: DrillContext, check: Any) -> None:
    result = check.run(ctx, REDIS_PY)
    assert result.passed, result.message


def test_redis_py_release_of_a_lost_lock_reports_false(ctx: DrillContext) -> None:
    lock = ctx.key("lock", "{lost}")
    token = lk.redispy_acquire(ctx.r, lock, 10_000)
    ctx.r.set(lock, "someone-else")
    assert token is not None
    assert lk.redispy_release(ctx.r, lock, token) is False
    assert ctx.r.get(lock) == "someone-else"


def test_waiting_acquire_gets_the_lock_once_it_expires(ctx: DrillContext) -> None:
    lock = ctx.key("lock", "{wait}")
    holder = lk.acquire(ctx.r, lock, 10_000)
    assert lk.acquire(ctx.r, lock, 10_000) is None  # no waiting: refused at once
    ctx.r.pexpire(lock, 100)  # the holder's TTL runs out while the next one waits
    waiter = lk.acquire(ctx.r, lock, 10_000, wait_ms=5_000)
    assert holder is not None and waiter is not None and waiter != holder
    assert ctx.r.get(lock) == waiter


def test_waiting_acquire_gives_up_after_wait_ms(ctx: DrillContext) -> None:
    lock = ctx.key("lock", "{busy}")
    assert lk.acquire(ctx.r, lock, 10_000) is not None
    assert lk.acquire(ctx.r, lock, 10_000, wait_ms=20) is None


def test_fence_counter_shares_the_locks_hash_tag() -> None:
    from redis.crc import key_slot

    lock = "redisprep:r1-abc:lock:{ledger}"
    assert key_slot(lk.fence_key(lock).encode()) == key_slot(lock.encode())


def test_drill_run_is_deterministic_and_leaves_no_keys(backend: Backend) -> None:
    first = run_drill("lock", backend, seed=5)
    second = run_drill("lock", backend, seed=5)
    assert first.ok and second.ok

    def shown(report: Any) -> list[Any]:
        return [
            (f.rows, [(c.title, c.passed, c.message) for c in s.outcome.checks])
            for s in report.steps
            for f in s.outcome.figures
        ]

    assert shown(first) == shown(second)
    assert list(backend.client().scan_iter(match="redisprep:*")) == []
    ops = {c.operation: c for c in first.costs}
    assert ops["acquire"].commands == ("SET",) and ops["acquire"].round_trips_per_call == 1
    assert ops["release"].commands == ("EVAL",) and ops["release"].round_trips_per_call == 1
    assert ops["acquire fenced"].round_trips_per_call == 1
    assert ops["fenced write"].round_trips_per_call == 1
    assert ops["redis-py Lock.release"].commands == ("EVALSHA",)


def test_cli_shows_the_counts_and_the_questions(invoke: Any) -> None:
    result = invoke("drill", "lock", "--seed", "2", catch=False)
    assert result.exit_code == 0, result.stderr
    out = " ".join(result.stdout.replace("│", " ").split())  # undo panels and line wrapping
    assert "8 of 8 racing workers got the lock" in out and "1 of 8 racing workers got the lock" in out
    assert "0 overlaps; unguarded counter 96 of 96" in out
    assert "What is a fencing token" in out
    assert "all 13 checks came out as expected" in out


def test_a_lease_that_ran_out_before_pttl_is_blamed_as_too_short_not_as_no_expiry(ctx: DrillContext) -> None:
    """ttl_ms / 1000 passed to PX: on a loaded machine the key is gone (PTTL -2) before it is read."""

    class ExpiredAtOnce:
        @staticmethod
        def acquire(r: Any, name: str, ttl_ms: int, wait_ms: int = 0) -> str | None:
            return "t" if r.set(name, "t", nx=True, px=1) and r.delete(name) >= 0 else None

        @staticmethod
        def release(r: Any, name: str, token: str) -> bool:
            return False

        acquire_fenced = staticmethod(lk.acquire_fenced)

    result = checks.expires.run(ctx, ExpiredAtOnce)
    assert not result.passed
    assert result.pitfall == units.PX_WITH_S
    assert "already expired" in result.message


class _SlowOnce:
    """The reference lock on a machine that stalls once, right after the dead holder's acquire,
    for longer than that holder's 150 ms lease (as a loaded CI runner can)."""

    def __init__(self) -> None:
        self.calls = 0

    def acquire(self, r: Any, key: str, ttl_ms: int, wait_ms: int = 0) -> Any:
        self.calls += 1
        if self.calls == 2:
            import time

            time.sleep(0.4)
        return lk.acquire(r, key, ttl_ms, wait_ms=wait_ms)

    def release(self, r: Any, key: str, token: Any) -> Any:
        return lk.release(r, key, token)


def test_a_stall_longer_than_the_lease_makes_waits_retry_with_a_longer_lease_not_fail(
    ctx: DrillContext,
) -> None:
    """Seen on the matrix at load 19: a correct lock failed lock.waits because the lease had run out."""
    result = checks.waits.run(ctx, _SlowOnce())
    assert result.passed, result.message
    assert result.measured["lease_ms"] == 1_200 and "after the 1200 ms lease" in result.message
    assert "waiting up to 3.6 s: got it after" in result.message  # 3 x the 1.2 s lease


def test_a_lock_that_ignores_a_holder_still_fails_waits_at_the_first_lease(ctx: DrillContext) -> None:
    class NoNX:
        def acquire(self, r: Any, key: str, ttl_ms: int, wait_ms: int = 0) -> str:
            r.set(key, "t", px=ttl_ms)
            return "t"

        def release(self, r: Any, key: str, token: Any) -> bool:
            return bool(r.delete(key))

    result = checks.waits.run(ctx, NoNX())
    assert not result.passed and result.measured["lease_ms"] == checks.LEASES_MS[0] == 150
    assert result.pitfall == "a held lock must refuse a second acquire: SET ... NX"
