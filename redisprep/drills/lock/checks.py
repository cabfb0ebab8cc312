"""Checks of the lock drill; each runs against any implementation of the lock interface."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from redisprep.drills._expiry import expire_now
from redisprep.drills.check_helpers import (
    NO_KNOWN_PITFALL,
    Verdict,
    check,
    in_lockstep,
    round_trips_of,
    verdict,
)
from redisprep.drills.context import DrillContext
from redisprep.drills.lock.deadline import gives_up
from redisprep.drills.lock.fences import fence_numbers, fencing, grant_of
from redisprep.drills.lock.keys import TTL_MS, lock_key
from redisprep.drills.lock.units import NO_EXPIRY, ttl_pitfall

WORKERS = 8
ROUNDS = 12  # 96 acquisitions: a non-atomic lock overlaps within tens; each hand-off waits a backoff
#: Lease of each acquisition in the concurrency run: far longer than the critical section.
HOLD_TTL_MS = 5_000
#: How long a worker waits for the lock before giving up.
WAIT_MS = 10_000

PLAIN_DEL = (
    "lock released with plain DEL: after the holder's TTL ran out, its DEL frees the next "
    "holder's lock; release with a Lua compare-and-delete on the token"
)


GIVES_UP = "acquire gives up at once: with wait_ms > 0 retry (with backoff) until the deadline"
SLEEPS_WHOLE_WAIT = (
    "a waiting acquire sleeps the whole wait_ms before it tries again: the lock came free long "
    "before; retry every few ms (backoff with jitter) until the deadline"
)
RELEASE_RETURNS = "release must return True when it freed the lock (the script's DEL returned 1)"
RETRY = "a lock taken by a waiting acquire (wait_ms > 0)"
RELEASE_CLAIMS = (
    "release returned True though it freed nothing: return whether the compare-and-delete "
    "deleted the key (the script's reply, 1 or 0), not True every time"
)
FIXED_TOKEN = (
    "the same token for every holder: a late release (or anyone) frees the next holder's lock; make "
    "a fresh random token for each acquisition (secrets.token_hex)"
)


def _pttl_text(pttl: int, ttl_ms: int) -> str:
    """How a PTTL reads next to the lease ``ttl_ms`` asked for."""
    if ttl_pitfall(pttl, ttl_ms) is None:
        return f"about {round(pttl / 1000)} s (of {ttl_ms // 1000} s)"
    if pttl >= 0:
        return f"{pttl} ms (want 1..{ttl_ms})"
    if pttl == -2:
        return f"-2, the lock had already expired (want 1..{ttl_ms} ms)"
    return f"{pttl}, no expiry (want 1..{ttl_ms} ms)"


@check("lock.expires", "the lock expires on its own, after ttl_ms")
def expires(ctx: DrillContext, impl: Any) -> Verdict:
    """A fresh lock, taken by acquire or acquire_fenced, carries a TTL of ttl_ms (milliseconds)."""
    lock, fenced = lock_key(ctx, "expiry"), lock_key(ctx, "expiry-fenced")
    token = impl.acquire(ctx.r, lock, TTL_MS)
    grant = impl.acquire_fenced(ctx.r, fenced, TTL_MS) if token is not None else None
    if token is None or grant is None:
        return verdict(False, "could not take a free lock", pitfall="acquire must succeed on a free lock")
    pttl, fenced_pttl = int(ctx.r.pttl(lock)), int(ctx.r.pttl(fenced))
    again = impl.acquire(ctx.r, lock, TTL_MS)
    impl.release(ctx.r, lock, token)
    unit, fenced_unit = ttl_pitfall(pttl, TTL_MS), ttl_pitfall(fenced_pttl, TTL_MS)
    ok = unit is None and fenced_unit is None and again is None
    message = (
        f"PTTL right after acquiring: {_pttl_text(pttl, TTL_MS)}; after acquire_fenced: "
        f"{_pttl_text(fenced_pttl, TTL_MS)}; a second acquire "
        + ("was refused" if again is None else f"also succeeded (returned {again!r}; want None)")
    )
    pitfall = (
        unit
        or ("a held lock must refuse a second acquire: SET ... NX" if again is not None else None)
        or (f"acquire_fenced: {fenced_unit}" if fenced_unit else None)
    )
    return verdict(ok, message, pitfall=pitfall, pttl_ms=pttl, fenced_pttl_ms=fenced_pttl)


@check("lock.tokens", "each acquisition gets a fresh token")
def tokens(ctx: DrillContext, impl: Any) -> Verdict:
    """Take, release and take again, and take a second lock: three different tokens, as strings."""
    lock, other = lock_key(ctx, "tokens"), lock_key(ctx, "tokens-other")
    first = impl.acquire(ctx.r, lock, TTL_MS)
    freed = impl.release(ctx.r, lock, first)
    second = impl.acquire(ctx.r, lock, TTL_MS)
    third = impl.acquire(ctx.r, other, TTL_MS)
    impl.release(ctx.r, lock, second)
    impl.release(ctx.r, other, third)
    got = [first, second, third]
    distinct = len({repr(t) for t in got}) == 3 and None not in got
    ok = distinct and freed is True
    if None in got:
        pitfall = "acquire must succeed on a free lock"
    elif not distinct:
        pitfall = FIXED_TOKEN
    elif freed is not True:
        pitfall = RELEASE_RETURNS
    else:
        pitfall = None
    return verdict(
        ok,
        f"tokens {got} ({'all different' if distinct else 'repeated'}); release returned {freed!r} "
        "(want True)",
        pitfall=pitfall,
    )


#: The dead holder's lease, longer each time a slow machine let it run out before the second acquire
#: returned (then that acquire's success proves nothing, and it is tried again).
LEASES_MS = (150, 1_200, 4_800)


@check("lock.waits", "a waiting acquire gets the lock when the holder's lease runs out")
def waits(ctx: DrillContext, impl: Any) -> Verdict:
    """A holder dies with its lease left: acquire(wait_ms=0) says None at once; a wait gets it soon
    after the lease, with a lease of its own."""
    for lease_ms in LEASES_MS:
        lock = lock_key(ctx, "waits")
        began = time.monotonic()
        dead = impl.acquire(ctx.r, lock, lease_ms)  # the holder crashes: nobody releases
        dead_pttl = int(ctx.r.pttl(lock))
        started = time.monotonic()
        at_once = impl.acquire(ctx.r, lock, TTL_MS)
        quick_s = time.monotonic() - started
        if at_once is None or (time.monotonic() - began) * 1000 < lease_ms:
            break  # conclusive: the lease was certainly still running when at_once returned
    wait_ms = max(3_000, 3 * lease_ms)
    started = time.monotonic()
    waited = impl.acquire(ctx.r, lock, TTL_MS, wait_ms=wait_ms)
    wait_s = time.monotonic() - started
    retry_unit = None
    if waited is not None:
        retry_unit = ttl_pitfall(int(ctx.r.pttl(lock)), TTL_MS)
        impl.release(ctx.r, lock, waited)
    late = wait_s * 1000 > (lease_ms + wait_ms) / 2  # the lock was free long before it was taken
    ok = dead is not None and at_once is None and waited is not None and waited != dead
    ok = ok and retry_unit is None and not late
    lease_unit = ttl_pitfall(dead_pttl, lease_ms)  # the dead holder's lease, in the wrong unit
    if at_once is not None:
        pitfall = lease_unit or "a held lock must refuse a second acquire: SET ... NX"
    elif waited is None:
        pitfall = lease_unit or GIVES_UP
    elif waited == dead:
        pitfall = FIXED_TOKEN
    elif retry_unit is not None:
        pitfall = lease_unit or f"{RETRY}: {retry_unit}"
    elif late:
        pitfall = SLEEPS_WHOLE_WAIT
    else:
        pitfall = None
    return verdict(
        ok,
        f"without waiting: {at_once!r} after {quick_s:.2f} s (want None); "
        f"waiting up to {wait_ms / 1000:g} s: {'got it' if waited else 'None'} after {wait_s:.2f} s "
        f"(want the lock soon after the {lease_ms} ms lease"
        + ("" if retry_unit is None else ", with a PTTL of about ttl_ms")
        + ")",
        pitfall=pitfall,
        waited_s=round(wait_s, 3),
        lease_ms=lease_ms,
    )


@check("lock.one_holder", "racing acquirers: exactly one wins")
def one_holder(ctx: DrillContext, impl: Any) -> Verdict:
    """8 workers try a free lock in lockstep; one may get it."""
    lock = lock_key(ctx, "race")
    tokens = in_lockstep(ctx, WORKERS, lambda _i, client: impl.acquire(client, lock, TTL_MS))
    holders = sum(t is not None for t in tokens)
    return verdict(
        holders == 1,
        f"{holders} of {WORKERS} racing workers got the lock",
        pitfall="check-then-act acquisition: GET then SET lets in every worker that saw the lock free; "
        "SET NX decides in one command",
        holders=holders,
    )


@check("lock.wrong_owner", "a late release cannot free the next holder's lock")
def wrong_owner(ctx: DrillContext, impl: Any) -> Verdict:
    """A stalls past its TTL, B takes the lock, A wakes up and releases: B must keep it."""
    lock = lock_key(ctx, "owner")
    a = impl.acquire(ctx.r, lock, TTL_MS)
    expire_now(ctx.r, lock)  # A pauses (GC, swap, slow I/O) longer than its TTL
    b = impl.acquire(ctx.r, lock, TTL_MS)
    if a is None or b is None:
        return verdict(
            False, "A or B could not take a free lock", pitfall="acquire must succeed on a free lock"
        )
    same_token = a == b
    freed = bool(impl.release(ctx.r, lock, a))  # A still believes it holds the lock
    c = impl.acquire(ctx.r, lock, TTL_MS)
    holders = 2 if c is not None else 1
    b_released = bool(impl.release(ctx.r, lock, c if c is not None else b))
    if holders == 1:
        message = (
            "A's late release returned True, yet C could not get in: B still held the lock"
            if freed
            else "A's late release was refused; C could not get in while B held the lock"
        )
    else:
        message = "A's late release freed B's lock; C got in while B still held it: 2 holders"
    return verdict(
        holders == 1 and not freed and b_released,
        message + ("" if b_released else "; B's own release returned False (want True)"),
        pitfall=FIXED_TOKEN
        if same_token
        else PLAIN_DEL
        if freed and holders == 2
        else RELEASE_CLAIMS
        if freed
        else RELEASE_RETURNS
        if not b_released
        else NO_KNOWN_PITFALL,
        late_release_freed=freed,
        holders=holders,
    )


@dataclass
class CriticalSection:
    """An observer for mutual exclusion: who is inside, and a counter updated non-atomically."""

    inside: int = 0
    max_inside: int = 0
    overlaps: int = 0
    counter: int = 0
    gave_up: int = 0
    unexpiring: int = 0
    _mutex: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def run(self) -> None:
        """Enter, read-yield-write the counter (lost if anyone else is inside), leave."""
        with self._mutex:
            self.inside += 1
            self.max_inside = max(self.max_inside, self.inside)
            if self.inside > 1:
                self.overlaps += 1
        seen = self.counter
        time.sleep(0)  # let other threads run: an overlapping holder would now lose this update
        self.counter = seen + 1
        with self._mutex:
            self.inside -= 1

    def held_without_expiry(self) -> None:
        """Count an acquisition whose lock had no TTL."""
        with self._mutex:
            self.unexpiring += 1

    def give_up(self) -> None:
        """Count an acquisition that timed out."""
        with self._mutex:
            self.gave_up += 1


@check("lock.no_overlap", f"{WORKERS} workers x {ROUNDS} acquisitions never overlap")
def no_overlap(ctx: DrillContext, impl: Any) -> Verdict:
    """Mutual exclusion under real contention: every critical section runs alone."""
    lock = lock_key(ctx, "busy")
    section = CriticalSection()
    start = threading.Barrier(WORKERS)

    def worker(_i: int, client: Any) -> None:
        start.wait()
        for _ in range(ROUNDS):
            token = impl.acquire(client, lock, HOLD_TTL_MS, wait_ms=WAIT_MS)
            if token is None:
                section.give_up()
                continue
            if int(client.pttl(lock)) == -1:
                section.held_without_expiry()
            section.run()
            impl.release(client, lock, token)

    # 3,200+ commands would drown the trace; the cost table measures acquire/release elsewhere.
    with ctx.tracer.paused():
        ctx.run_workers(WORKERS, worker)
    want = WORKERS * ROUNDS
    ok = section.overlaps == 0 and section.counter == want and section.gave_up == 0
    ok = ok and section.unexpiring == 0
    return verdict(
        ok,
        f"{want - section.gave_up} acquisitions, at most {section.max_inside} inside at once, "
        f"{section.overlaps} overlaps; unguarded counter {section.counter} of {want}"
        + (f"; {section.unexpiring} locks held with no expiry" if section.unexpiring else ""),
        pitfall=(
            "two holders at once: acquisition must be one atomic SET NX PX, and the TTL must outlast "
            "the critical section"
            if section.overlaps or section.counter != want - section.gave_up
            else f"{RETRY}: {NO_EXPIRY}"
            if section.unexpiring
            else GIVES_UP
        ),
        acquisitions=want - section.gave_up,
        max_inside=section.max_inside,
        overlaps=section.overlaps,
        counter=section.counter,
        gave_up=section.gave_up,
        unexpiring=section.unexpiring,
    )


@check("lock.one_round_trip", "one round trip per operation")
def one_round_trip(ctx: DrillContext, impl: Any) -> Verdict:
    """acquire (won or refused), release, fenced acquire and fenced write each take one round trip."""
    lock = lock_key(ctx, "trips")
    fenced = lock_key(ctx, "trips-fenced")
    resource = ctx.key("lock", "trips-storage")
    ctx.r.delete(resource, fenced + ":fence")
    token, trips_acquire = round_trips_of(ctx, "check:acquire", lambda: impl.acquire(ctx.r, lock, TTL_MS))
    _, trips_refused = round_trips_of(ctx, "check:acquire refused", lambda: impl.acquire(ctx.r, lock, TTL_MS))
    _, trips_release = round_trips_of(ctx, "check:release", lambda: impl.release(ctx.r, lock, token))
    grant, trips_fenced = round_trips_of(
        ctx, "check:fenced", lambda: impl.acquire_fenced(ctx.r, fenced, TTL_MS)
    )
    granted = grant_of(grant)
    fence = granted[1] if granted else 1
    _, trips_write = round_trips_of(
        ctx, "check:write", lambda: impl.fenced_write(ctx.r, resource, fence, "x")
    )
    trips = {
        "acquire": trips_acquire,
        "refused acquire": trips_refused,
        "release": trips_release,
        "acquire_fenced": trips_fenced,
        "fenced_write": trips_write,
    }
    heavy = {name: n for name, n in trips.items() if n != 1}
    return verdict(
        not heavy,
        "every operation took 1 round trip"
        if not heavy
        else ", ".join(f"{n} took {t} round trips" for n, t in heavy.items()),
        pitfall="several round trips per lock operation: GET then DEL (or GET then SET) can interleave "
        "with another client; use one command or one Lua script",
        **{f"trips_{k.replace(' ', '_')}": v for k, v in trips.items()},
    )


CHECKS = (
    expires,
    tokens,
    waits,
    gives_up,
    one_holder,
    wrong_owner,
    fencing,
    fence_numbers,
    no_overlap,
    one_round_trip,
)
