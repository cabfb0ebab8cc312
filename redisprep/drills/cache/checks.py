"""Checks of the cache drill; each runs against any implementation of the cache interface."""

from __future__ import annotations

import threading
import time
from typing import Any

from redisprep.drills._expiry import expire_now
from redisprep.drills.cache import early, early_probe
from redisprep.drills.cache.database import Database, StampedeDatabase
from redisprep.drills.check_helpers import NO_KNOWN_PITFALL, Verdict, check, round_trips_of, verdict
from redisprep.drills.context import DrillContext

TTL_S = 60
READERS = 20
REPLAY_S = 16.0
"""Simulated seconds of steady traffic in cache.early_refresh: two TTL periods after warm-up (the
probe that follows checks the XFetch decision itself; the drill's own replay runs longer)."""

WAITERS_GIVE_UP = (
    "waiters gave up while the first load was still running and loaded themselves: a slow load "
    "becomes a stampede; keep polling until the value is filled or the lease is gone (its PX)"
)
PLAIN_TTL = (
    "plain TTL on a hot key: every reader arriving while it is recomputed misses and recomputes "
    "too; refresh early with probability rising towards expiry (XFetch)"
)
NO_STAMPEDE_PROTECTION = (
    "cache without stampede protection: every reader that misses a cold key loads it from the "
    "database at once; let one load under a single-flight lease (SET NX PX) while the rest wait"
)


def _key(ctx: DrillContext, name: str) -> str:
    key = ctx.key("cache", "{" + name + "}")
    ctx.r.delete(key)
    return key


@check("cache.aside", "miss loads, hit serves, TTL and invalidation reload")
def aside(ctx: DrillContext, impl: Any) -> Verdict:
    """Cache-aside: load once on a miss, serve hits, cache with a TTL, reload after expiry or a write."""
    key = _key(ctx, "product:1")
    db = Database("price=10")
    first = impl.read(ctx.r, key, db.load, TTL_S)
    second = impl.read(ctx.r, key, db.load, TTL_S)
    ttl = int(ctx.r.ttl(key))
    pttl = int(ctx.r.pttl(key))
    loads_after_hit = db.loads
    expire_now(ctx.r, key)  # the TTL runs out
    third = impl.read(ctx.r, key, db.load, TTL_S)
    db.value = "price=12"  # the write path: update the database, then invalidate
    impl.invalidate(ctx.r, key)
    fourth = impl.read(ctx.r, key, db.load, TTL_S)
    problems = []
    if (first, second, third) != ("price=10",) * 3 or loads_after_hit != 1:
        problems.append(
            f"first two reads returned {first!r}, {second!r} with {loads_after_hit} loads (want 1)"
        )
    if not 0 < ttl <= TTL_S:
        problems.append(f"TTL of the cached key is {ttl} (want 1..{TTL_S})")
    if fourth != "price=12" or db.loads != 3:
        problems.append(
            f"after the update and invalidate the read returned {fourth!r} ({db.loads} loads in all)"
        )
    if ttl == -1:
        pitfall = (
            "value cached without a TTL (SET without EX, or SET then EXPIRE in two steps): it is never "
            "refreshed and the key never goes away; use SET key value EX ttl"
        )
    elif ttl > TTL_S:
        pitfall = "ttl_s given to EX as milliseconds (x1000): the value lives 1000 times too long"
    elif (pttl == -2 and loads_after_hit == 1) or 0 < pttl <= TTL_S * 10:  # -2: gone since the hit
        pitfall = "ttl_s given to PX (milliseconds): the value expires 1000 times too soon; EX takes seconds"
    elif loads_after_hit != 1:
        pitfall = "cache-aside: GET first and load only on a miss; cache what load() returned"
    elif fourth != "price=12":
        pitfall = "invalidate must DEL the cached value (and any lease) so the next read reloads"
    else:
        pitfall = NO_KNOWN_PITFALL
    return verdict(
        not problems,
        f"1 load for 2 reads, TTL {ttl} s, reloaded after expiry and after the write"
        if not problems
        else "; ".join(problems),
        pitfall=pitfall,
        loads=db.loads,
        ttl_s=ttl,
    )


@check("cache.stampede", f"{READERS} readers of a cold key: one database load")
def stampede(ctx: DrillContext, impl: Any) -> Verdict:
    """A cold hot key, many readers at once: the database must see one load, everyone the value."""
    key = _key(ctx, "product:hot")
    db = StampedeDatabase("price=99", READERS)
    start = threading.Barrier(READERS)

    def reader(i: int, client: Any) -> str:
        watched = db.watch(i, client)
        start.wait()
        return str(impl.read(watched, key, db.loader(i), TTL_S))

    values = ctx.run_workers(READERS, reader)
    served = sum(v == "price=99" for v in values)
    ok = db.loads == 1 and served == READERS
    stuck = " (a load gave up waiting for the other readers: one of them never looked again)"
    return verdict(
        ok,
        f"{READERS} concurrent readers, {db.loads} database {'load' if db.loads == 1 else 'loads'}; "
        f"{served} got the value"
        + (
            f" ({db.gave_up} loaded after polling: they stopped waiting for the first load)"
            if db.gave_up
            else ""
        )
        + (stuck if db.timed_out else ""),
        pitfall=WAITERS_GIVE_UP
        if db.gave_up
        else NO_STAMPEDE_PROTECTION
        if db.loads > 1
        else NO_KNOWN_PITFALL,
        loads=db.loads,
        readers=READERS,
        served=served,
        timed_out=db.timed_out,
    )


LEASE_WITHOUT_EXPIRY = (
    "the lease has no expiry (SET NX without PX): a loader that dies holding it (a killed process "
    "runs no except clause) blocks every reader of the key for ever; SET lease token NX PX ms"
)


def _helper_ttls(ctx: DrillContext, key: str, since: int) -> dict[str, int]:
    """PTTL of every key extending ``key`` (its lease, say) that a command since number ``since`` named."""
    named = {a for c in ctx.tracer.commands[since:] for a in c.argv if a.startswith(key) and a != key}
    return {k: int(ctx.r.pttl(k)) for k in sorted(named)}


class LoaderDownError(RuntimeError):
    """What the check's database raises while it is down."""


@check("cache.loader_fails", "a failing load raises, caches nothing, and the next read loads again")
def loader_fails(ctx: DrillContext, impl: Any) -> Verdict:
    """load() raises: read raises it too, caches nothing, and a read right after loads (no stuck lease)."""
    key = _key(ctx, "product:down")
    db = Database("price=5")

    helpers: dict[str, int] = {}
    since = len(ctx.tracer.commands)

    def failing() -> str:
        helpers.update(_helper_ttls(ctx, key, since))  # the lease, while this load holds it
        raise LoaderDownError("database down")

    raised: str | None = None
    try:
        returned = impl.read(ctx.r, key, failing, TTL_S)
    except Exception as exc:  # noqa: BLE001 - the loader's error, passed back through the learner's code
        raised, returned = type(exc).__name__, None
    cached = ctx.r.get(key)
    # A key with no TTL while the load ran, given back when it failed: the lease. A loader killed
    # while it holds it (no except clause runs then) blocks the key for ever.
    endless = [k for k, ms in helpers.items() if ms == -1 and not ctx.r.exists(k)]
    started = time.monotonic()
    after = impl.read(ctx.r, key, db.load, TTL_S)
    waited = time.monotonic() - started
    ok = raised is not None and cached is None and after == "price=5" and waited < 1.0 and not endless
    if raised is None:
        pitfall = (
            f"a failed load must raise to the caller, not be swallowed or cached: read returned {returned!r}"
        )
    elif cached is not None:
        pitfall = "a failed load must not be cached"
    elif waited >= 1.0 or after != "price=5":
        pitfall = (
            "a failed load leaves the lease held: the next reader waits out its TTL; give the lease "
            "back when load() raises (try/except, then DEL the lease if it is still yours)"
        )
    elif endless:
        pitfall = LEASE_WITHOUT_EXPIRY
    else:
        pitfall = None
    return verdict(
        ok,
        f"read {'raised ' + raised if raised else f'returned {returned!r} (want the error raised)'}; "
        f"cached afterwards: {cached!r} (want None); the next read returned {after!r} after "
        f"{waited:.1f} s (want 'price=5' at once)"
        + "".join(f"; {k.removeprefix(key)!r} had no TTL while the load ran (want PX)" for k in endless),
        pitfall=pitfall,
        waited_s=round(waited, 2),
    )


@check("cache.stale_set", "a slow load cannot put back data older than a write")
def stale_set(ctx: DrillContext, impl: Any) -> Verdict:
    """Reader loads v1; writer stores v2 and invalidates; reader fills. Later reads must see v2."""
    key = _key(ctx, "product:2")
    db = Database("stock=5")
    old = db.value

    def slow_load() -> str:
        value = db.load()  # the reader has read the old row ...
        db.value = "stock=4"  # ... when a writer commits a new one
        impl.invalidate(ctx.r, key)  # and invalidates, before the reader's fill arrives
        return value

    impl.read(ctx.r, key, slow_load, TTL_S)
    after = impl.read(ctx.r, key, db.load, TTL_S)
    stale_for = int(ctx.r.ttl(key)) if after != db.value else 0
    ok = after == db.value
    return verdict(
        ok,
        f"the next read returned {after!r}; the database holds {db.value!r}"
        + ("" if ok else f": stale for the next {stale_for} s (the whole TTL)"),
        pitfall="stale set: a slow reader wrote the old value back after the writer's invalidation; "
        "fill only while a lease that the invalidation deletes is still yours"
        if after == old
        else NO_KNOWN_PITFALL,
        stale_for_s=stale_for,
    )


@check("cache.early_refresh", "a hot key is refreshed before it expires, once at a time")
def early_refresh(ctx: DrillContext, impl: Any) -> Verdict:
    """Steady traffic on a hot key: no misses after warm-up, at most one recompute in flight."""
    key = _key(ctx, "product:trending")
    with ctx.tracer.paused():  # hundreds of reads; their cost is measured in the drill's steps
        run = early.replay(ctx, impl, key, ctx.fork_rng("early_refresh"), REPLAY_S)
        seen = early_probe.probe(ctx, impl, "product:probe")
    ok = run.misses == 0 and run.peak <= 1 and not seen.problems
    if seen.pitfalls and not (seen.never_early and run.peak > 1):
        pitfall = seen.pitfalls[0]
    elif run.misses:
        pitfall = PLAIN_TTL
    else:
        pitfall = early_probe.NO_FLAG if run.peak > 1 else NO_KNOWN_PITFALL
    return verdict(
        ok,
        f"{run.requests} reads: {run.misses} misses and {run.recomputes} recomputes after warm-up, "
        f"at most {run.peak} at once" + "".join("; " + problem for problem in seen.problems),
        pitfall=pitfall,
        misses=run.misses,
        recomputes=run.recomputes,
        peak=run.peak,
        periods=round(run.periods, 2),
    )


@check("cache.round_trips", "one round trip per cache operation")
def round_trips(ctx: DrillContext, impl: Any) -> Verdict:
    """A hit, an invalidation and the early-refresh calls take one round trip; a miss at most two."""
    key = _key(ctx, "product:3")
    hot = _key(ctx, "product:4")
    db = Database("price=7")
    _, miss = round_trips_of(ctx, "check:miss", lambda: impl.read(ctx.r, key, db.load, TTL_S))
    _, hit = round_trips_of(ctx, "check:hit", lambda: impl.read(ctx.r, key, db.load, TTL_S))
    _, inval = round_trips_of(ctx, "check:invalidate", lambda: impl.invalidate(ctx.r, key))
    _, store = round_trips_of(ctx, "check:store", lambda: impl.early_set(ctx.r, hot, "x", 0.5, 60.0, 0.0))
    _, get = round_trips_of(ctx, "check:get", lambda: impl.early_get(ctx.r, hot, 1.0, 0.5, 1.0))
    trips = {"hit": hit, "invalidate": inval, "early_set": store, "early_get": get}
    heavy = {name: n for name, n in trips.items() if n != 1}
    if miss > 2:
        heavy["miss"] = miss
    return verdict(
        not heavy,
        f"a hit, invalidate, early_get and early_set took 1 round trip each; a miss took {miss}"
        if not heavy
        else ", ".join(f"{n} took {t} round trips" for n, t in heavy.items()),
        pitfall="extra round trips per cache operation multiply latency on every request; use one "
        "command or one Lua script",
        trips_miss=miss,
        **{f"trips_{k}": v for k, v in trips.items()},
    )


CHECKS = (aside, loader_fails, stampede, stale_set, early_refresh, round_trips)
