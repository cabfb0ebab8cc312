"""Checks of the lock drill; each runs against any implementation of the lock interface."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from redisprep.drills._checks import Verdict, check, in_lockstep, round_trips_of, verdict
from redisprep.drills._expiry import expire_now
from redisprep.drills.context import DrillContext

TTL_MS = 10_000
WORKERS = 8
ROUNDS = 50
#: Lease of each acquisition in the concurrency run: far longer than the critical section.
HOLD_TTL_MS = 5_000
#: How long a worker waits for the lock before giving up.
WAIT_MS = 10_000

PLAIN_DEL = (
    "lock released with plain DEL: after the holder's TTL ran out, its DEL frees the next "
    "holder's lock; release with a Lua compare-and-delete on the token"
)


def _lock(ctx: DrillContext, name: str) -> str:
    key = ctx.key("lock", "{" + name + "}")
    ctx.r.delete(key)
    return key


@check("lock.expires", "the lock expires on its own")
def expires(ctx: DrillContext, impl: Any) -> Verdict:
    """A fresh lock carries a TTL, so a crashed holder cannot keep it forever."""
    lock = _lock(ctx, "expiry")
    token = impl.acquire(ctx.r, lock, TTL_MS)
    if token is None:
        return verdict(False, "could not take a free lock", pitfall="acquire must succeed on a free lock")
    pttl = int(ctx.r.pttl(lock))
    again = impl.acquire(ctx.r, lock, TTL_MS)
    impl.release(ctx.r, lock, token)
    ok = 0 < pttl <= TTL_MS and again is None
    ttl = f"about {round(pttl / 1000)} s (of {TTL_MS // 1000} s)" if pttl > 0 else f"{pttl}, no expiry"
    message = f"PTTL right after acquiring: {ttl}; a second acquire " + (
        "was refused" if again is None else "also succeeded"
    )
    pitfall = (
        "lock without expiry (SETNX, or SETNX then EXPIRE in two steps): a holder that crashes keeps "
        "it forever; use SET key token NX PX ttl"
        if pttl <= 0
        else "a held lock must refuse a second acquire"
    )
    return verdict(ok, message, pitfall=pitfall, pttl_ms=pttl)


@check("lock.one_holder", "racing acquirers: exactly one wins")
def one_holder(ctx: DrillContext, impl: Any) -> Verdict:
    """8 workers try a free lock in lockstep; one may get it."""
    lock = _lock(ctx, "race")
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
    lock = _lock(ctx, "owner")
    a = impl.acquire(ctx.r, lock, TTL_MS)
    expire_now(ctx.r, lock)  # A pauses (GC, swap, slow I/O) longer than its TTL
    b = impl.acquire(ctx.r, lock, TTL_MS)
    if a is None or b is None:
        return verdict(
            False, "A or B could not take a free lock", pitfall="acquire must succeed on a free lock"
        )
    freed = bool(impl.release(ctx.r, lock, a))  # A still believes it holds the lock
    c = impl.acquire(ctx.r, lock, TTL_MS)
    holders = 2 if c is not None else 1
    b_released = bool(impl.release(ctx.r, lock, c if c is not None else b))
    if holders == 1:
        message = "A's late release was refused; C could not get in while B held the lock"
    else:
        message = "A's late release freed B's lock; C got in while B still held it: 2 holders"
    return verdict(
        holders == 1 and not freed and b_released,
        message,
        pitfall=PLAIN_DEL,
        late_release_freed=freed,
        holders=holders,
    )


@check("lock.fencing", "fencing tokens reject a stale writer")
def fencing(ctx: DrillContext, impl: Any) -> Verdict:
    """A stalls past its TTL, B takes over and writes, A's late write must be refused."""
    lock = _lock(ctx, "fenced")
    resource = ctx.key("lock", "storage")
    ctx.r.delete(resource, lock + ":fence")
    a = impl.acquire_fenced(ctx.r, lock, TTL_MS)
    expire_now(ctx.r, lock)
    b = impl.acquire_fenced(ctx.r, lock, TTL_MS)
    if a is None or b is None:
        return verdict(
            False, "A or B could not take a free lock", pitfall="acquire must succeed on a free lock"
        )
    accepted = []
    if impl.fenced_write(ctx.r, resource, b[1], "B's update"):
        accepted.append(b[1])
    if impl.fenced_write(ctx.r, resource, a[1], "A's stale update"):
        accepted.append(a[1])
    increasing = all(x < y for x, y in zip(accepted, accepted[1:], strict=False))
    stale = sum(1 for f in accepted if f < max(accepted, default=0))
    ok = b[1] > a[1] and accepted == [b[1]]
    message = f"fences A={a[1]}, B={b[1]}; storage accepted {accepted or 'nothing'}" + (
        "" if ok else f"; {stale} stale write accepted"
    )
    pitfall = (
        "no fencing: a holder that outlived its TTL writes after its successor and overwrites newer "
        "data; the storage must refuse fences lower than the highest it has seen"
        if b[1] > a[1]
        else "fencing numbers must grow with every grant (INCR in the acquire script)"
    )
    return verdict(
        ok, message, pitfall=pitfall, accepted=len(accepted), stale_accepted=stale, increasing=increasing
    )


@dataclass
class CriticalSection:
    """An observer for mutual exclusion: who is inside, and a counter updated non-atomically."""

    inside: int = 0
    max_inside: int = 0
    overlaps: int = 0
    counter: int = 0
    gave_up: int = 0
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

    def give_up(self) -> None:
        """Count an acquisition that timed out."""
        with self._mutex:
            self.gave_up += 1


@check("lock.no_overlap", f"{WORKERS} workers x {ROUNDS} acquisitions never overlap")
def no_overlap(ctx: DrillContext, impl: Any) -> Verdict:
    """Mutual exclusion under real contention: every critical section runs alone."""
    lock = _lock(ctx, "busy")
    section = CriticalSection()
    start = threading.Barrier(WORKERS)

    def worker(_i: int, client: Any) -> None:
        start.wait()
        for _ in range(ROUNDS):
            token = impl.acquire(client, lock, HOLD_TTL_MS, wait_ms=WAIT_MS)
            if token is None:
                section.give_up()
                continue
            section.run()
            impl.release(client, lock, token)

    # 3,200+ commands would drown the trace; the cost table measures acquire/release elsewhere.
    with ctx.tracer.paused():
        ctx.run_workers(WORKERS, worker)
    want = WORKERS * ROUNDS
    ok = section.overlaps == 0 and section.counter == want and section.gave_up == 0
    return verdict(
        ok,
        f"{want - section.gave_up} acquisitions, at most {section.max_inside} inside at once, "
        f"{section.overlaps} overlaps; unguarded counter {section.counter} of {want}",
        pitfall="two holders at once: acquisition must be one atomic SET NX PX, and the TTL must "
        "outlast the critical section",
        acquisitions=want - section.gave_up,
        max_inside=section.max_inside,
        overlaps=section.overlaps,
        counter=section.counter,
        gave_up=section.gave_up,
    )


@check("lock.one_round_trip", "one round trip per operation")
def one_round_trip(ctx: DrillContext, impl: Any) -> Verdict:
    """acquire (won or refused), release, fenced acquire and fenced write each take one round trip."""
    lock = _lock(ctx, "trips")
    fenced = _lock(ctx, "trips-fenced")
    resource = ctx.key("lock", "trips-storage")
    ctx.r.delete(resource, fenced + ":fence")
    token, trips_acquire = round_trips_of(ctx, "check:acquire", lambda: impl.acquire(ctx.r, lock, TTL_MS))
    _, trips_refused = round_trips_of(ctx, "check:acquire refused", lambda: impl.acquire(ctx.r, lock, TTL_MS))
    _, trips_release = round_trips_of(ctx, "check:release", lambda: impl.release(ctx.r, lock, token))
    grant, trips_fenced = round_trips_of(
        ctx, "check:fenced", lambda: impl.acquire_fenced(ctx.r, fenced, TTL_MS)
    )
    fence = grant[1] if grant else 1
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


CHECKS = (expires, one_holder, wrong_owner, fencing, no_overlap, one_round_trip)
