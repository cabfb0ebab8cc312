"""The narrated steps of the lock drill."""

from __future__ import annotations

import uuid

from redisprep.drills._expiry import expire_now
from redisprep.drills.check_helpers import variant
from redisprep.drills.context import DrillContext
from redisprep.drills.lock import checks, fences
from redisprep.drills.lock import reference as lk
from redisprep.drills.model import DataTable, Step, StepOutcome

SETNX = variant(lk, acquire=lk.setnx_acquire)
CHECK_THEN_ACT = variant(lk, acquire=lk.naive_acquire)
DEL_RELEASE = variant(lk, release=lk.naive_release)
UNFENCED = variant(lk, fenced_write=lk.unfenced_write)
REDIS_PY = variant(lk, acquire=lk.redispy_acquire, release=lk.redispy_release)
TTL_MS = 30_000


def basics(ctx: DrillContext) -> StepOutcome:
    lock = ctx.key("lock", "{invoice:42}")
    with ctx.tracer.operation("acquire"):
        token = lk.acquire(ctx.r, lock, TTL_MS)
    pttl = ctx.r.pttl(lock)
    with ctx.tracer.operation("acquire"):
        second = lk.acquire(ctx.r, lock, TTL_MS)
    with ctx.tracer.operation("release"):
        released = lk.release(ctx.r, lock, token or "")
    rows = (
        ("worker 1: SET lock token NX PX 30000", "OK: holds it" if token else "(nil)"),
        ("PTTL lock", f"about {round(int(pttl) / 1000)} s left" if int(pttl) > 0 else str(pttl)),
        ("worker 2: SET lock token2 NX PX 30000", "(nil): refused" if second is None else "OK (!)"),
        ("worker 1: release (compare-and-delete)", "1: freed" if released else "0"),
    )
    return StepOutcome(
        narration=(
            "A lock is one key. `SET lock <token> NX PX <ttl>` creates it only if it is absent and "
            "gives it an expiry in the same command, O(1): the server decides who wins, and a holder "
            "that crashes cannot keep the lock past its TTL.",
            "The token is 128 random bits, fresh for each acquisition. It is how a holder proves the "
            "lock is still its own when it releases: the release is a small Lua script, `GET` and "
            "compare, then `DEL` only on a match, run atomically by the server.",
            "`SETNX` alone has no expiry, and `SETNX` then `EXPIRE` leaves an immortal lock when the "
            "client dies between the two.",
        ),
        figures=(DataTable("one lock, two workers", ("command", "reply"), rows),),
        checks=(
            checks.expires.run(ctx, SETNX).expecting_failure().labelled("SETNX"),
            checks.expires.run(ctx, lk).labelled("SET NX PX"),
        ),
    )


def check_then_act(ctx: DrillContext) -> StepOutcome:
    naive = checks.one_holder.run(ctx, CHECK_THEN_ACT).expecting_failure().labelled("GET then SET")
    atomic = checks.one_holder.run(ctx, lk).labelled("SET NX")
    return StepOutcome(
        narration=(
            f"{checks.WORKERS} workers race for a free lock. The drill runs them in lockstep: each "
            "sends its next command only after all have sent the previous one.",
            "`GET` then `SET` is check-then-act: every worker reads nil, then every worker writes, "
            "and all of them believe they hold the lock. `SET NX` makes the check and the write one "
            "command, so exactly one gets OK and the rest get nil.",
        ),
        checks=(naive, atomic),
    )


def wrong_owner(ctx: DrillContext) -> StepOutcome:
    naive = checks.wrong_owner.run(ctx, DEL_RELEASE).expecting_failure().labelled("plain DEL")
    safe = checks.wrong_owner.run(ctx, lk).labelled("Lua compare-and-delete")
    rows = (
        ("1", "A acquires", "A"),
        ("2", "A stalls past its TTL (PEXPIRE lock 1 stands in)", "nobody"),
        ("3", "B acquires", "B"),
        ("4", "A wakes up and releases", "plain DEL: nobody / Lua: B"),
        ("5", "C tries to acquire", "plain DEL: C, while B works / Lua: refused"),
    )
    return StepOutcome(
        narration=(
            "A holder can stall longer than its TTL: a GC pause, a swapped-out process, a slow disk. "
            "Its lock expires and the next worker takes it. When the first one wakes up it releases "
            "what it still thinks is its lock.",
            "With a plain `DEL` that release deletes B's lock, and C walks in while B is still in its "
            "critical section. The token-checked release sees someone else's token and returns 0.",
        ),
        figures=(DataTable("timeline", ("t", "event", "lock holder afterwards"), rows),),
        checks=(naive, safe),
    )


def fencing(ctx: DrillContext) -> StepOutcome:
    lock = ctx.key("lock", "{ledger}")
    resource = ctx.key("lock", "ledger-storage")
    with ctx.tracer.operation("acquire fenced"):
        a = lk.acquire_fenced(ctx.r, lock, TTL_MS)
    expire_now(ctx.r, lock)
    with ctx.tracer.operation("acquire fenced"):
        b = lk.acquire_fenced(ctx.r, lock, TTL_MS)
    rows = []
    for who, grant in (("B", b), ("A (late)", a)):
        if grant is None:
            continue
        with ctx.tracer.operation("fenced write"):
            ok = lk.fenced_write(ctx.r, resource, grant[1], f"{who}'s update")
        rows.append((who, grant[1], "accepted" if ok else "rejected: lower than the last fence"))
    naive = fences.fencing.run(ctx, UNFENCED).expecting_failure().labelled("storage ignores fences")
    fenced = fences.fencing.run(ctx, lk).labelled("fenced storage")
    return StepOutcome(
        narration=(
            "The token-checked release protects the lock, not the data. A holder that stalled past "
            "its TTL still goes on to write. A fencing token closes that gap: each grant also "
            "returns the next number from `INCR lock:fence` (in the same script as `SET NX PX`; "
            "`{ledger}` in both key names keeps them in one cluster slot).",
            "The storage remembers the highest fence it accepted and refuses lower ones. Only the "
            "storage can enforce this, so it has to take part: a database row with a version column, "
            "or a script like this one.",
        ),
        figures=(DataTable("writes reaching the storage", ("writer", "fence", "storage says"), tuple(rows)),),
        checks=(naive, fenced),
    )


def contention(ctx: DrillContext) -> StepOutcome:
    result = checks.no_overlap.run(ctx, lk)
    return StepOutcome(
        narration=(
            f"The positive check: {checks.WORKERS} threads, each with its own connection, take the "
            f"same lock {checks.ROUNDS} times each. Inside, each increments a counter that nothing "
            "else guards, yielding to the other threads halfway through. If two were ever inside "
            "together, an increment would be lost.",
            "Waiters do not spin. A refused worker sleeps a random time up to a backoff that doubles "
            f"from {lk.FIRST_BACKOFF_S * 1000:g} ms to {lk.MAX_BACKOFF_S * 1000:g} ms (full jitter), "
            "so retries spread out and leave the server to the holder. redis-py's `Lock` sleeps a "
            "fixed `sleep` (0.1 s by default) between tries.",
            "The trace is paused for this run (thousands of commands); the cost of `acquire` and "
            "`release` is measured in the other steps.",
        ),
        checks=(result,),
    )


def redis_py(ctx: DrillContext) -> StepOutcome:
    lock = ctx.key("lock", "{report}")
    releases = []
    for i in range(3):
        with ctx.tracer.operation("redis-py Lock.acquire"):
            token = lk.redispy_acquire(ctx.r, lock, TTL_MS)
        label = "redis-py Lock.release (first)" if i == 0 else "redis-py Lock.release"
        first = len(ctx.tracer.commands)
        with ctx.tracer.operation(label):
            lk.redispy_release(ctx.r, lock, token or "")
        releases.append(len({c.round_trip for c in ctx.tracer.commands[first:]}))
    results = tuple(
        c.run(ctx, REDIS_PY).labelled("redis-py Lock")
        for c in (checks.expires, checks.one_holder, checks.wrong_owner)
    )
    rows = (
        ("acquire", "SET NX PX", "SET NX PX (timeout in seconds)"),
        ("token", "128 random bits", f"{_redispy_token(ctx)}, thread-local by default"),
        ("release", "EVAL compare-and-delete", "EVALSHA of the same script; LockNotOwnedError if lost"),
        ("waiting", "jittered exponential backoff", "fixed sleep between tries, blocking_timeout"),
        ("fencing", "acquire_fenced + fenced_write", "none"),
        ("extend", "not in this drill", "extend() and reacquire(), both token-checked"),
    )
    return StepOutcome(
        narration=(
            "redis-py ships a `Lock` (`r.lock(name, timeout=...)`) built on the same ideas; here it "
            "runs behind the drill's interface and through the same checks.",
            "Its release uses `EVALSHA`. On a server that does not have the script cached yet, the "
            "first call fails with NOSCRIPT, loads the script and retries: this run's three releases "
            f"took {', '.join(str(n) for n in releases)} round trips. Always pass `timeout`: "
            "without it the key never expires.",
        ),
        figures=(
            DataTable("this drill's lock vs redis-py's Lock", ("", "reference", "redis-py Lock"), rows),
        ),
        checks=results,
    )


def round_trips(ctx: DrillContext) -> StepOutcome:
    return StepOutcome(
        narration=(
            "Every lock operation is one round trip: one command, or one script where a read "
            "decides a write. Two round trips (`GET` then `DEL`) leave a gap in which another "
            "client can change the key (the lock may expire and be taken by someone else between them), "
            "and add one network round trip to the time the lock is held after the work is done.",
        ),
        checks=(checks.one_round_trip.run(ctx, lk),),
    )


STEPS = (
    Step("SET NX PX with a random token", basics),
    Step("Check-then-act lets several in", check_then_act),
    Step("Releasing someone else's lock", wrong_owner),
    Step("Fencing tokens", fencing),
    Step(f"{checks.WORKERS} workers x {checks.ROUNDS} acquisitions", contention),
    Step("redis-py's own Lock", redis_py),
    Step("One round trip per operation", round_trips),
)


def _redispy_token(ctx: DrillContext) -> str:
    """What the installed redis-py's ``Lock`` uses as its token, read from one it takes (untraced)."""

    handle = ctx.r.lock(ctx.key("lock", "{probe}"), timeout=5, thread_local=False)
    with ctx.tracer.paused():
        if not handle.acquire(blocking=False):
            return "a token of its own"
        token = handle.local.token
        handle.release()
    text = token.decode() if isinstance(token, bytes) else str(token)
    try:
        version = uuid.UUID(hex=text).version
    except ValueError:
        return "a token of its own"
    kinds = {1: "uuid1 hex (time and host based)", 4: "uuid4 hex (122 random bits)"}
    return kinds.get(version or 0, f"uuid{version} hex")
