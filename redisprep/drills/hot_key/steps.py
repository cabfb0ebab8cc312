"""The narrated steps of the hot-key drill."""

from __future__ import annotations

from redisprep.drills._cluster import ClusterView, open_view
from redisprep.drills.check_helpers import variant
from redisprep.drills.context import DrillContext
from redisprep.drills.hot_key import checks
from redisprep.drills.hot_key import reference as hk
from redisprep.drills.hot_key import workload as wl
from redisprep.drills.model import DataTable, Step, StepOutcome
from redisprep.knowledge.slots import key_slot

NAIVE_CACHE = variant(hk, cached_get=hk.naive_cached_get)
NAIVE_COPIES = variant(hk, copy_key=hk.naive_copy_key, spread_copies=hk.naive_spread_copies)


def _where(view: ClusterView) -> str:
    if view.simulated:
        return f"This runs on a {view.label}, because {view.reason}."
    return f"This runs on the real cluster at {view.label}."


def _counting(view: ClusterView) -> str:
    source = "each simulated node's counter" if view.simulated else "each node's own `INFO commandstats`"
    return (
        f"Counts come from {source}: `cmdstat_get` calls before and after the workload. That is "
        "the server's view, so a read answered from a client-side cache never shows up, and "
        "replicas count too; `INFO` is read-only. On a shared cluster other clients' GETs would "
        "add to it."
    )


def layout(ctx: DrillContext) -> StepOutcome:
    view = open_view(ctx.backend)
    hot = wl.hot_key(ctx)
    slot = key_slot(hot)
    rows = tuple(
        (node, view.role(node), sum(1 for o in view.owner if o == node) if node in view.owner_set else 0)
        for node in view.nodes
    )
    return StepOutcome(
        narration=(
            _where(view),
            f"The hot key `{hot}` hashes (by its tag `product:42`) to slot {slot}, which "
            f"{view.owner[slot]} serves. Every read of that key goes to that one primary: a key is "
            "never split across nodes, so adding nodes spreads other keys but not this one.",
            "Signs of a hot key: one node's CPU and network high while the others idle, its "
            "latency rising first. Find it with per-key metrics in the client, `redis-cli "
            "--hotkeys` (needs an LFU eviction policy), or `HOTKEYS` on Redis 8.6+.",
        ),
        figures=(DataTable(view.tag("nodes"), ("node", "role", "slots"), rows),),
    )


def baseline(ctx: DrillContext) -> StepOutcome:
    view = open_view(ctx.backend)
    client = ctx.tracer.attach(view.client())
    data = wl.seed(ctx, view, client)
    reads = wl.plan(ctx, data)
    with ctx.tracer.operation(f"{wl.READ_COUNT} reads: no remedy"):
        dist = wl.measure(view, reads, lambda r: client.get(r.key))
    return StepOutcome(
        narration=(
            f"{wl.READ_COUNT} reads from {wl.APPS} application instances: {wl.HOT_SHARE:.0%} ask for "
            f"the hot key, the rest for {wl.COLD_KEYS} other keys spread over all slots.",
            f"{dist.busiest} ran {dist.counts[dist.busiest]} of the {dist.total} GETs "
            f"({dist.share:.0%}); the other nodes share the rest. That node saturates while the "
            "cluster as a whole is mostly idle.",
            _counting(view),
        ),
        figures=(wl.bars(view, "GETs per node, no remedy", dist),),
    )


def cache(ctx: DrillContext) -> StepOutcome:
    view = open_view(ctx.backend)
    client = ctx.tracer.attach(view.client())
    data = wl.seed(ctx, view, client)
    reads = wl.plan(ctx, data)
    hot_reads = sum(1 for r in reads if r.key == data.hot)
    with ctx.tracer.operation(f"{wl.READ_COUNT} reads: client-side cache"):
        dist = wl.measure(view, reads, checks.cache_reader(hk, client, data.hot))
    return StepOutcome(
        narration=(
            f"Remedy 1: each application instance keeps the hot key in its own memory for "
            f"{wl.TTL_S:g} s (a TTL, not server-assisted invalidation). The reads are spread over "
            f"{wl.DURATION_S:g} s of injected clock, so each of the {wl.APPS} instances fetches it at "
            f"most once per TTL: about {wl.APPS * wl.DURATION_S / wl.TTL_S:.0f} GETs of the hot key "
            f"reach Redis instead of {hot_reads}.",
            "The price is staleness: a change shows up to one TTL late. Server-assisted "
            "invalidation removes that window: `CLIENT TRACKING ON REDIRECT <id>` makes Redis push an "
            "invalidation on `__redis__:invalidate` when a key this connection read changes. It "
            "needs one tracked connection per node holding cached keys, and redis-py's built-in "
            "client-side cache needs Redis 7.4+; fakeredis has no CLIENT TRACKING. The TTL version "
            "runs everywhere, so the drill measures that one.",
        ),
        figures=(wl.bars(view, f"GETs per node, client-side cache (TTL {wl.TTL_S:g} s)", dist),),
        checks=(
            checks.cache_share.run(ctx, hk),
            checks.cache_staleness.run(ctx, NAIVE_CACHE).expecting_failure(),
            checks.cache_staleness.run(ctx, hk),
        ),
    )


def copies(ctx: DrillContext) -> StepOutcome:
    view = open_view(ctx.backend)
    client = ctx.tracer.attach(view.client())
    data = wl.seed(ctx, view, client)
    reads = wl.plan(ctx, data)
    names = hk.spread_copies(data.hot, view.owner.__getitem__, view.primaries)
    with ctx.tracer.operation("write (all copies)"):
        hk.write_copies(client, names, data.value)
    with ctx.tracer.operation(f"{wl.READ_COUNT} reads: random copy"):
        dist = wl.measure(view, reads, checks.copies_reader(hk, client, data.hot, names, ctx))
    rows = tuple((name, key_slot(name), view.owner[key_slot(name)]) for name in names)
    return StepOutcome(
        narration=(
            "Remedy 2: keep several copies of the key and read a random one. The suffix must go "
            "inside the hash tag: `{product:42}:1` still hashes `product:42`, while `{product:42:1}` "
            "hashes differently. Random suffixes land wherever CRC16 puts them, often two on one "
            "node, so the drill picks, for each primary, the first suffix whose slot it serves.",
            "A write must reach every copy, one `SET` per copy: they are on different nodes, so no "
            "`MULTI` or script can cover them, and readers can see old and new values side by side "
            "until the last write lands. Fine for read-mostly data such as a product page or a "
            "configuration blob.",
        ),
        figures=(
            DataTable(view.tag("copies"), ("copy", "slot", "node"), rows),
            wl.bars(view, f"GETs per node, {len(names)} copies", dist),
        ),
        checks=(
            checks.copies_spread.run(ctx, NAIVE_COPIES).expecting_failure(),
            checks.copies_spread.run(ctx, hk),
            checks.copies_share.run(ctx, hk),
            checks.copies_consistent.run(ctx, hk),
        ),
    )


def replicas(ctx: DrillContext) -> StepOutcome:
    view = open_view(ctx.backend)
    if not view.has_replicas:
        return StepOutcome(
            narration=("Remedy 3 reads from replicas, and this cluster has none.",),
            skipped="no replicas: start a cluster with 'redisprep cluster up --replicas 1'",
        )
    readers = ctx.tracer.attach(view.client(replica_reads=True))
    data = wl.seed(ctx, view, readers)
    reads = wl.plan(ctx, data)
    with ctx.tracer.operation(f"{wl.READ_COUNT} reads: primary or replica"):
        dist = wl.measure(view, reads, lambda r: readers.get(r.key))
    per_primary = 1 + len(view.replicas[view.owner[key_slot(data.hot)]])
    return StepOutcome(
        narration=(
            f"Remedy 3: read from replicas too. A replica answers reads only on a connection that "
            f"sent `READONLY`; otherwise it replies MOVED to its primary. The client sends reads "
            f"round-robin to each primary and its replicas, so the hot key's load splits {per_primary} "
            "ways. redis-py does this with `load_balancing_strategy=ROUND_ROBIN`.",
            "Replication is asynchronous: a replica can return a value that was just overwritten. "
            + (
                "(The simulation replicates synchronously, so it never shows that here.)"
                if view.simulated
                else "The drill waits for the replicas to catch up after seeding."
            ),
        ),
        figures=(wl.bars(view, "GETs per node, reads from replicas", dist),),
        checks=(checks.replica_share.run(ctx, hk),),
    )


STEPS = (
    Step("One key lives on one node", layout),
    Step("A skewed read workload", baseline),
    Step("Remedy 1: a client-side cache", cache),
    Step("Remedy 2: copies on every node", copies),
    Step("Remedy 3: reads from replicas", replicas),
)
