"""Replay steady traffic on one hot key against Redis with an injected clock, to compare refresh policies."""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass
from typing import Any

from redisprep.drills.calls import call_each
from redisprep.drills.context import DrillContext

RPS = 20
TTL_S = 8.0
DELTA_S = 1.0
"""How long one recompute takes (the time during which a plain TTL keeps missing)."""
BETA = 1.5
"""XFetch's eagerness; above 1 refreshes a little earlier than the paper's default of 1."""
DURATION_S = 24.0


@dataclass(frozen=True, slots=True)
class RefreshRun:
    """What one policy did after warm-up (the first load of the cold key is not counted)."""

    requests: int
    misses: int
    recomputes: int
    peak: int
    """Most recomputes in flight at the same moment."""
    periods: float
    """TTL periods simulated after warm-up."""


def replay(
    ctx: DrillContext, impl: Any, key: str, rng: random.Random, duration_s: float = DURATION_S
) -> RefreshRun:
    """Send ``RPS`` reads a second for ``duration_s`` simulated seconds through ``impl.early_get``.

    Time is simulated: request k happens at k / RPS seconds, and a recompute a reader starts at t
    calls ``impl.early_set`` at t + DELTA_S (before any later request). Readers arriving meanwhile
    see the old state, exactly as they would while a real recompute runs.
    """
    ctx.r.delete(key, key + ":refresh")
    in_flight: list[float] = []
    version = 0
    warm_at: float | None = None
    misses = recomputes = peak = 0
    total = int(duration_s * RPS)
    k = 0
    while k < total:
        now = k / RPS
        while in_flight and in_flight[0] <= now:
            done = heapq.heappop(in_flight)
            version += 1
            impl.early_set(ctx.r, key, f"v{version}", DELTA_S, TTL_S, done)
            warm_at = done if warm_at is None else warm_at
        # The reads before the next recompute can finish go in one batch: a recompute that one of
        # them starts finishes DELTA_S after it, so no early_set falls between them.
        until = min(in_flight[0] if in_flight else now + DELTA_S, now + DELTA_S)
        batch = []
        for j in range(k, total):
            if j / RPS >= until:
                break
            batch.append((ctx.r, key, j / RPS, 1.0 - rng.random(), BETA))
        for args, (value, refresh) in zip(batch, call_each(impl, "early_get", batch), strict=True):
            warm = warm_at is not None
            if warm and value is None:
                misses += 1
            if refresh:
                heapq.heappush(in_flight, args[2] + DELTA_S)
                if warm:
                    recomputes += 1
                    peak = max(peak, len(in_flight))
        k += len(batch)
    periods = (duration_s - (warm_at or 0.0)) / TTL_S
    return RefreshRun(total, misses, recomputes, peak, periods)
