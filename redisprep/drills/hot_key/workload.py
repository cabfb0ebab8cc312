"""The hot-key workload: a hot key and cold keys on a cluster, a seeded read plan, per-node counts."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from redisprep.drills._cluster import ClusterView
from redisprep.drills.context import DrillContext
from redisprep.drills.model import BarChart

READ_COUNT = 800
"""Reads per measurement."""
HOT_SHARE = 0.9
"""Fraction of reads that ask for the hot key."""
COLD_KEYS = 60
APPS = 4
"""Application instances taking turns; each has its own client-side cache."""
DURATION_S = 4.0
"""The reads are spread evenly over this much (simulated) time; the cache's clock follows it."""
TTL_S = 1.0
"""Lifetime of a client-side cache entry."""
RELIEF = 2 / 3
"""A remedy passes when the busiest node's share falls to at most this fraction of the baseline's."""


@dataclass(frozen=True, slots=True)
class Read:
    """One planned read."""

    app: int
    at: float
    """Seconds since the workload started (the injected clock)."""
    key: str


@dataclass(frozen=True, slots=True)
class Dataset:
    """The keys a measurement reads."""

    hot: str
    cold: tuple[str, ...]
    value: str


@dataclass(frozen=True, slots=True)
class Distribution:
    """GET calls each node ran during one measurement."""

    counts: dict[str, int]

    @property
    def total(self) -> int:
        """GETs that reached any node."""
        return sum(self.counts.values())

    @property
    def busiest(self) -> str:
        """The node that ran the most GETs."""
        return max(self.counts, key=lambda n: (self.counts[n], n))

    @property
    def share(self) -> float:
        """The busiest node's share of all GETs that reached the cluster."""
        return self.counts[self.busiest] / self.total if self.total else 0.0


def hot_key(ctx: DrillContext) -> str:
    """The hot key. Its hash tag fixes its slot (12456), whatever the run's prefix."""
    return ctx.key("hot", "{product:42}")


def seed(ctx: DrillContext, view: ClusterView, client: Any) -> Dataset:
    """Write the hot key and the cold keys, and wait until replicas have them."""
    hot = hot_key(ctx)
    cold = tuple(ctx.key("cold", f"{{item:{i}}}") for i in range(COLD_KEYS))
    value = "product 42: name, price, stock"
    with ctx.tracer.paused():
        client.set(hot, value)
        for i, key in enumerate(cold):
            client.set(key, f"item {i}")
    view.sync_replicas()
    return Dataset(hot, cold, value)


def plan(ctx: DrillContext, data: Dataset) -> list[Read]:
    """``READ_COUNT`` reads, ``HOT_SHARE`` of them on the hot key, the rest on random cold keys (seeded)."""
    rng = ctx.fork_rng("hot-key workload")
    step = DURATION_S / READ_COUNT
    return [
        Read(i % APPS, i * step, data.hot if rng.random() < HOT_SHARE else rng.choice(data.cold))
        for i in range(READ_COUNT)
    ]


def measure(view: ClusterView, reads: Sequence[Read], read: Callable[[Read], Any]) -> Distribution:
    """Run ``read`` for every planned read; count each node's GETs from its own INFO commandstats."""
    before = view.calls("get")
    for r in reads:
        read(r)
    after = view.calls("get")
    return Distribution({node: after[node] - before.get(node, 0) for node in after})


def bars(view: ClusterView, title: str, dist: Distribution) -> BarChart:
    """GETs per node as bars, labelled with each node's role."""
    return BarChart(
        view.tag(title),
        tuple((f"{node} {view.role(node)}", float(count)) for node, count in dist.counts.items()),
        " GETs",
    )


def compare(baseline: Distribution, remedy: Distribution) -> tuple[bool, str]:
    """Whether the busiest node's share fell far enough, and a sentence saying by how much."""
    ok = remedy.share <= baseline.share * RELIEF
    text = (
        f"busiest node's share {baseline.share:.0%} -> {remedy.share:.0%} "
        f"({remedy.total} of {baseline.total} GETs reached the cluster)"
    )
    return ok, text


def new_rng(ctx: DrillContext, label: str) -> random.Random:
    """A seeded RNG for the random choices of one measurement."""
    return ctx.fork_rng(f"hot-key {label}")
