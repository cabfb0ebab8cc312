"""Checks of the hot-key drill; each measures a remedy against the same skewed workload."""

from __future__ import annotations

from typing import Any

from redisprep.drills._cluster import ClusterView, open_view
from redisprep.drills.check_helpers import Verdict, check, verdict
from redisprep.drills.context import DrillContext
from redisprep.drills.hot_key import workload as wl
from redisprep.knowledge.slots import key_slot


def _setup(ctx: DrillContext) -> tuple[ClusterView, Any, wl.Dataset, list[wl.Read], wl.Distribution]:
    """A view, a traced client, the seeded keys, the read plan, and the baseline distribution."""
    view = open_view(ctx.backend)
    client = ctx.tracer.attach(view.client())
    data = wl.seed(ctx, view, client)
    reads = wl.plan(ctx, data)
    baseline = wl.measure(view, reads, lambda r: client.get(r.key))
    return view, client, data, reads, baseline


def cache_reader(impl: Any, client: Any, hot: str) -> Any:
    """A read function: the hot key through each app's own cache, other keys straight from Redis."""
    caches: list[dict[str, tuple[Any, float]]] = [{} for _ in range(wl.APPS)]

    def read(r: wl.Read) -> Any:
        if r.key == hot:
            return impl.cached_get(client, caches[r.app], r.key, r.at, wl.TTL_S)
        return client.get(r.key)

    return read


def copies_reader(impl: Any, client: Any, hot: str, copies: list[str], ctx: DrillContext) -> Any:
    """A read function: the hot key from a random copy, other keys as they are."""
    rng = wl.new_rng(ctx, "copies")

    def read(r: wl.Read) -> Any:
        return impl.read_copy(client, copies, rng) if r.key == hot else client.get(r.key)

    return read


@check("hot-key.cache_share", "a client-side cache takes the hot key off its node")
def cache_share(ctx: DrillContext, impl: Any) -> Verdict:
    """The busiest node's share of GETs falls when the hot key is read through a short-TTL cache."""
    view, client, data, reads, baseline = _setup(ctx)
    remedy = wl.measure(view, reads, cache_reader(impl, client, data.hot))
    ok, text = wl.compare(baseline, remedy)
    return verdict(
        ok,
        view.tag(text),
        pitfall="every read of the hot key goes to the server: cache it in the process for a short TTL",
        baseline_share=round(baseline.share, 4),
        share=round(remedy.share, 4),
        server_gets=remedy.total,
    )


@check("hot-key.cache_staleness", "the cache shows a change within one TTL")
def cache_staleness(ctx: DrillContext, impl: Any) -> Verdict:
    """After a write, cached reads may be stale, but for no longer than the TTL (injected clock)."""
    view = open_view(ctx.backend)
    client = ctx.tracer.attach(view.client())
    key = wl.hot_key(ctx)
    client.set(key, "v1")
    cache: dict[str, tuple[Any, float]] = {}
    impl.cached_get(client, cache, key, 0.0, wl.TTL_S)
    written_at = 0.1
    client.set(key, "v2")
    seen_at = None
    for tick in range(2, 31):  # reads every 0.1 s for 3 s
        now = tick / 10
        if impl.cached_get(client, cache, key, now, wl.TTL_S) == "v2":
            seen_at = now
            break
    stale_for = None if seen_at is None else round(seen_at - written_at, 2)
    ok = stale_for is not None and stale_for <= wl.TTL_S
    message = (
        f"the new value showed {stale_for:g} s after the write (TTL {wl.TTL_S:g} s)"
        if stale_for is not None
        else "still the old value 2.9 s after the write"
    )
    return verdict(
        ok,
        view.tag(message),
        pitfall="a cache without a TTL or invalidation serves the old value forever",
        stale_for_s=stale_for,
    )


@check("hot-key.copies_spread", "the hot key's copies land on every primary")
def copies_spread(ctx: DrillContext, impl: Any) -> Verdict:
    """``spread_copies`` picks suffixes whose slots cover every primary."""
    view = open_view(ctx.backend)
    copies = impl.spread_copies(wl.hot_key(ctx), view.owner.__getitem__, view.primaries)
    owners = [view.owner[key_slot(c)] for c in copies]
    distinct = len(set(owners))
    want = len(view.primaries)
    slots = ", ".join(str(key_slot(c)) for c in copies)
    return verdict(
        distinct == want,
        view.tag(f"{len(copies)} copies in slots {slots}: {distinct} of {want} primaries"),
        pitfall="a suffix outside the hash tag ({key}:1) hashes like the original: same slot, same node",
        distinct_nodes=distinct,
        primaries=want,
    )


@check("hot-key.copies_share", "copies take the hot key off its node")
def copies_share(ctx: DrillContext, impl: Any) -> Verdict:
    """The busiest node's share falls when the hot key is read from copies spread over the nodes."""
    view, client, data, reads, baseline = _setup(ctx)
    copies = impl.spread_copies(data.hot, view.owner.__getitem__, view.primaries)
    with ctx.tracer.paused():
        impl.write_copies(client, copies, data.value)
    remedy = wl.measure(view, reads, copies_reader(impl, client, data.hot, copies, ctx))
    ok, text = wl.compare(baseline, remedy)
    return verdict(
        ok,
        view.tag(text),
        pitfall="copies that share a slot (or a node) move no load: choose suffixes per node",
        baseline_share=round(baseline.share, 4),
        share=round(remedy.share, 4),
    )


@check("hot-key.copies_consistent", "a write reaches every copy")
def copies_consistent(ctx: DrillContext, impl: Any) -> Verdict:
    """After ``write_copies`` every copy holds the new value."""
    view = open_view(ctx.backend)
    client = ctx.tracer.attach(view.client())
    copies = impl.spread_copies(wl.hot_key(ctx), view.owner.__getitem__, view.primaries)
    impl.write_copies(client, copies, "v1")
    impl.write_copies(client, copies, "v2")
    values = [client.get(c) for c in copies]
    stale = sum(1 for v in values if v != "v2")
    return verdict(
        stale == 0,
        view.tag(f"{len(copies) - stale} of {len(copies)} copies hold the new value"),
        pitfall="writing only the original leaves the copies serving the old value",
        stale_copies=stale,
    )


@check("hot-key.replica_share", "reads from replicas take load off the hot key's primary")
def replica_share(ctx: DrillContext, impl: Any) -> Verdict:
    """The busiest node's share falls when reads go round-robin to each primary and its replicas."""
    view, _client, _data, reads, baseline = _setup(ctx)
    if not view.has_replicas:
        return verdict(False, "the cluster has no replicas", pitfall="start one with --replicas 1")
    readers = ctx.tracer.attach(view.client(replica_reads=True))
    remedy = wl.measure(view, reads, lambda r: readers.get(r.key))
    ok, text = wl.compare(baseline, remedy)
    return verdict(
        ok,
        view.tag(text),
        pitfall="replica reads need READONLY on the replica connection, or the replica answers MOVED",
        baseline_share=round(baseline.share, 4),
        share=round(remedy.share, 4),
    )


#: What practice grading runs; reading from replicas is a client setting, not learner code.
CHECKS = (cache_share, cache_staleness, copies_spread, copies_share, copies_consistent)
