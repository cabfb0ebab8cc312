"""The narrated steps of the cache drill."""

from __future__ import annotations

import secrets

from redisprep.drills._expiry import expire_now
from redisprep.drills.cache import checks, early, eviction
from redisprep.drills.cache import reference as cache
from redisprep.drills.check_helpers import variant
from redisprep.drills.context import DrillContext
from redisprep.drills.model import CheckResult, DataTable, Step, StepOutcome
from redisprep.errors import BackendUnavailableError, BackendUnsupportedError

NAIVE = variant(cache, read=cache.naive_read)
SINGLE_FLIGHT_LOCK = variant(cache, read=cache.lock_read)
PLAIN_TTL = variant(cache, early_get=cache.plain_ttl_get)
XFETCH_NO_FLAG = variant(cache, early_get=cache.xfetch_get_unflagged)
PRODUCTS = 10
CLOSE_KEPT = eviction.HOT // 10
"""Hot keys kept by allkeys-lru and allkeys-random that differ by at most this are 'about as many'."""
DB_MS = 20
"""Modelled cost of one database read, for the "DB ms" column (nothing sleeps)."""


def aside(ctx: DrillContext) -> StepOutcome:
    rng = ctx.fork_rng("aside")
    prices = {f"product:{i}": f"price={10 + i}" for i in range(PRODUCTS)}
    keys = {p: ctx.key("cache", "{" + p + "}") for p in prices}
    weights = [1 / (i + 1) for i in range(PRODUCTS)]  # a few products are much more popular
    rows = []

    def phase(title: str, reads: int) -> None:
        hits = 0
        for product in rng.choices(list(prices), weights, k=reads):
            token = secrets.token_hex(16)
            with ctx.tracer.operation("cache read"):
                status, _value = cache.lookup(ctx.r, keys[product], token)
            if status == "hit":
                hits += 1
                continue
            loaded = prices[product]  # the database read
            with ctx.tracer.operation("fill"):
                cache.fill(ctx.r, keys[product], token, loaded, checks.TTL_S)
        misses = reads - hits
        rows.append((title, reads, hits, misses, f"{hits / reads:.0%}", misses * DB_MS))

    phase("cold cache", 40)
    phase("warm cache", 40)
    expire_now(ctx.r, *keys.values())  # every entry's TTL runs out
    phase("after the TTLs ran out", 40)
    prices["product:0"] = "price=9"
    with ctx.tracer.operation("invalidate"):
        cache.invalidate(ctx.r, keys["product:0"])
    phase("after a price change", 20)
    return StepOutcome(
        narration=(
            "Cache-aside: the application asks Redis first, and only on a miss reads the database "
            "and writes the value back with `SET key value EX ttl`, one command, so the value never "
            "exists without its expiry. A write updates the database and then deletes the key; the "
            "next read loads the new value.",
            "The TTL bounds how stale an entry can get and lets unused entries leave. Here the "
            f"{PRODUCTS} products are read with a skew (a few are popular), and the database is "
            f"modelled at {DB_MS} ms a read.",
            "The reference runs both halves as small scripts, each one round trip: the lookup "
            "(`GET`, and on a miss `SET key:lease NX PX`) and the fill (that `SET EX`, only while "
            "the lease is still its own). The next steps show why.",
        ),
        figures=(
            DataTable(
                "hits and misses",
                ("phase", "reads", "hits", "misses (DB loads)", "hit ratio", "DB ms"),
                tuple(rows),
            ),
        ),
        checks=(checks.aside.run(ctx, cache),),
    )


def stampede(ctx: DrillContext) -> StepOutcome:
    runs = (
        ("naive cache-aside", checks.stampede.run(ctx, NAIVE).expecting_failure()),
        ("single-flight lease (reference)", checks.stampede.run(ctx, cache)),
    )
    rows = tuple((name, r.measured["loads"], r.measured["served"]) for name, r in runs)
    return StepOutcome(
        narration=(
            f"A popular key is missing (cold start, eviction, expiry) and {checks.READERS} requests "
            "arrive together. The drill's database holds every load until each reader has either "
            "started a load or is visibly waiting, so the count does not depend on thread timing.",
            "Naive cache-aside: every reader misses, every reader loads. With single flight, the "
            "first miss takes `SET key:lease <token> NX PX 5000` inside the lookup script and loads; "
            "the others find the lease, back off and look again. The lease's PX must outlast the "
            "slowest load, or a second reader takes over.",
        ),
        figures=(DataTable("cold-key stampede", ("variant", "DB loads", "readers served"), rows),),
        checks=tuple(r.labelled(name) for name, r in runs),
    )


def stale_set(ctx: DrillContext) -> StepOutcome:
    rows = (
        ("1", "reader", "misses, reads stock=5 from the database (slowly)"),
        ("2", "writer", "updates the database to stock=4, deletes the cache key"),
        ("3", "reader", "fills the cache with stock=5"),
        ("4", "anyone", "reads stock=5 from the cache until the TTL runs out"),
    )
    return StepOutcome(
        narration=(
            "Invalidation on write has a race. A reader that missed and read the old row can be "
            "slower than a writer: its fill arrives after the writer's `DEL` and puts the old value "
            "back for a whole TTL. A single-flight lock does not help; the fill is still a plain "
            "`SET`.",
            "The fix is a lease (memcache at Facebook, NSDI 2013): the invalidation deletes the key "
            "and its lease in one `DEL`, and the fill is a script that writes only while the "
            "reader's lease token is still there. The late fill is dropped and the next read loads "
            "the new row. Both names carry the same hash tag (`{product:2}` and `{product:2}:lease`),"
            " so the `DEL` and the scripts also work on a cluster.",
        ),
        figures=(DataTable("the stale-set interleaving", ("t", "who", "what"), rows),),
        checks=(
            checks.stale_set.run(ctx, NAIVE).expecting_failure().labelled("naive cache-aside"),
            checks.stale_set.run(ctx, SINGLE_FLIGHT_LOCK).expecting_failure().labelled("single-flight lock"),
            checks.stale_set.run(ctx, cache).labelled("lease (reference)"),
        ),
    )


def early_refresh(ctx: DrillContext) -> StepOutcome:
    key = ctx.key("cache", "{product:demo}")
    with ctx.tracer.operation("early-refresh store"):
        cache.early_set(ctx.r, key, "v1", early.DELTA_S, early.TTL_S, 0.0)
    with ctx.tracer.operation("early-refresh read"):
        cache.early_get(ctx.r, key, 1.0, 0.5, early.BETA)
    plain = checks.early_refresh.run(ctx, PLAIN_TTL).expecting_failure().labelled("plain TTL")
    reference = checks.early_refresh.run(ctx, cache).labelled("XFetch + NX flag")
    # Without the flag, overlap depends on the coin flips: shown in the table, not as a check.
    with ctx.tracer.paused():
        unflagged = early.replay(
            ctx, XFETCH_NO_FLAG, ctx.key("cache", "{product:unflagged}"), ctx.fork_rng("early_refresh")
        )
    rows = (
        ("plain TTL", plain.measured["misses"], plain.measured["recomputes"], plain.measured["peak"]),
        ("XFetch, no flag", unflagged.misses, unflagged.recomputes, unflagged.peak),
        (
            "XFetch + NX flag (reference)",
            reference.measured["misses"],
            reference.measured["recomputes"],
            reference.measured["peak"],
        ),
    )
    return StepOutcome(
        narration=(
            f"A hot key under steady traffic: {early.RPS} reads a second, a TTL of {early.TTL_S:g} s, "
            f"and a recompute that takes {early.DELTA_S:g} s. The clock is injected: "
            f"{int(early.RPS * early.DURATION_S)} reads over {early.DURATION_S:g} simulated seconds "
            "run in a fraction of a second against the real server.",
            "With a plain TTL, every read in the second after expiry misses and recomputes. "
            "Probabilistic early expiration (XFetch, Vattani et al., VLDB 2015) stores the value "
            "with its recompute time delta and expiry; a reader recomputes early when "
            f"now - delta * beta * ln(u) >= expiry, u uniform in (0, 1], beta {early.BETA:g}. The "
            "chance rises as expiry nears, so one reader usually refreshes before anyone misses.",
            "On its own XFetch can start several recomputes close together (this run: at most "
            f"{unflagged.peak} at once; it depends on the coin flips, so on `--seed`). The reference "
            "also takes `SET key:refresh 1 NX PX` in the same script, so one runs at a time.",
        ),
        figures=(
            DataTable(
                "after warm-up",
                ("policy", "misses", "recomputes", "most at once"),
                rows,
            ),
        ),
        checks=(plain, reference),
    )


def policy_summary(runs: tuple[eviction.PolicyRun, ...]) -> str:
    """What this run's table shows, policy by policy, in words that follow the measured rows."""
    by = {r.policy: r for r in runs}
    hot = eviction.HOT

    def kept(policy: str) -> str:
        n = by[policy].hot_kept
        return f"all {hot} hot keys" if n == hot else f"{n} of the {hot} hot keys"

    lru, rnd = by["allkeys-lru"], by["allkeys-random"]
    gap = lru.hot_kept - rnd.hot_kept
    clock = f"Redis's LRU clock ticks once a second, and this fill took {lru.fill_s:.2f} s"
    if gap > CLOSE_KEPT:
        versus = f"{gap} more than `allkeys-random` ({rnd.hot_kept})"
        why = f"{clock}: hot keys read after every batch looked newer than cold keys a tick older."
    else:
        versus = (
            f"about as many as `allkeys-random` ({rnd.hot_kept})"
            if gap >= -CLOSE_KEPT
            else f"{-gap} fewer than `allkeys-random` ({rnd.hot_kept})"
        )
        why = f"{clock}, so most keys carry the same access time and LRU cannot tell hot from cold."
    return (
        f"In this run `noeviction`, the default, refused {by['noeviction'].rejected} writes with OOM "
        f"errors. `allkeys-lfu` kept {kept('allkeys-lfu')}, and `volatile-lru` {kept('volatile-lru')}: "
        "it may evict only keys with a TTL, and only the cold keys have one. "
        f"`allkeys-lru` kept {lru.hot_kept}, {versus}. {why} Over real idle times of minutes, LRU "
        "keeps hot keys well."
    )


def evictions(ctx: DrillContext) -> StepOutcome:
    try:
        runs = eviction.compare_policies()
    except (BackendUnsupportedError, BackendUnavailableError) as exc:
        return StepOutcome(
            narration=(
                "Eviction needs `CONFIG SET maxmemory`, which redisprep sends only to a server it "
                "started itself.",
            ),
            skipped=f"no throw-away redis-server to start: {exc}",
        )
    rows = tuple((r.policy, r.rejected, f"{r.hot_kept}/{eviction.HOT}", r.evicted) for r in runs)
    return StepOutcome(
        narration=(
            "When a cache fills its memory, `maxmemory-policy` decides. This step starts its own "
            "redis-server (never your server: it needs `CONFIG SET` and `FLUSHALL`), sets "
            f"`maxmemory` {eviction.HEADROOM_BYTES // 1000} kB above the "
            f"{eviction.HOT} hot keys, writes {eviction.WRITES} cold keys of {eviction.VALUE_BYTES} "
            f"bytes with a TTL, and reads every hot key after each {eviction.BATCH} writes.",
            policy_summary(runs),
            "The LRU and random rows change from run to run, because Redis samples keys at random "
            "(`maxmemory-samples`, 5 by default). LRU and LFU are both sampled approximations.",
        ),
        figures=(
            DataTable(
                "one workload, five policies", ("policy", "writes refused", "hot kept", "evicted"), rows
            ),
        ),
    )


def round_trips(ctx: DrillContext) -> StepOutcome:
    result: CheckResult = checks.round_trips.run(ctx, cache)
    return StepOutcome(
        narration=(
            "A hit is one round trip, and so are an invalidation and each early-refresh call. A "
            "miss takes two: the lookup that hands out the lease, then the fill. The database read "
            "in between is the cost a cache exists to avoid.",
        ),
        checks=(result,),
    )


STEPS = (
    Step("Cache-aside with a TTL", aside),
    Step("Stampede on a cold key", stampede),
    Step("The stale-set race", stale_set),
    Step("Early refresh versus plain TTL", early_refresh),
    Step("Eviction when memory runs out", evictions),
    Step("Round trips per operation", round_trips),
)
