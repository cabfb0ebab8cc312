"""Checks of the time-series drill; each runs against any implementation of the time-series interface."""

from __future__ import annotations

import math
import random
from typing import Any

from redisprep.drills.check_helpers import Verdict, check, verdict
from redisprep.drills.context import DrillContext
from redisprep.drills.time_series.reference import Bucket, Point

#: A fixed start time (2023-11-14 23:00:00 UTC) instead of the wall clock: runs repeat exactly.
T0 = 1_700_002_800_000
STEP_MS = 10_000  # one reading every 10 s
HOUR = 360  # readings in an hour
BUCKET_MS = 300_000  # 5-minute buckets


def readings(rng: random.Random, count: int = HOUR) -> list[Point]:
    """A temperature random walk in 0.5-degree steps: many readings repeat a value."""
    value, out = 21.0, []
    for i in range(count):
        value = min(30.0, max(15.0, value + rng.choice((-0.5, 0.0, 0.0, 0.5))))
        out.append((T0 + i * STEP_MS, value))
    return out


def expected_buckets(points: list[Point], start: int, end: int, size: int) -> list[Bucket]:
    """Downsampling done in Python from the raw points (sum in time order, as the server does)."""
    groups: dict[int, list[float]] = {}
    for ts, v in sorted(points):
        if start <= ts <= end:
            groups.setdefault(ts - ts % size, []).append(v)
    out = []
    for b, values in sorted(groups.items()):
        total = 0.0
        for v in values:
            total += v
        out.append(Bucket(b, len(values), total, min(values), max(values)))
    return out


def same_buckets(got: list[Bucket], want: list[Bucket]) -> bool:
    """Equal bucket by bucket (sums compared to 1e-9)."""
    return len(got) == len(want) and all(
        g.start == w.start
        and g.count == w.count
        and math.isclose(g.total, w.total, abs_tol=1e-9)
        and (g.low, g.high) == (w.low, w.high)
        for g, w in zip(got, want, strict=True)
    )


@check("time-series.every_point_kept", "every reading is kept, even repeated values")
def every_point_kept(ctx: DrillContext, impl: Any) -> Verdict:
    """An hour of readings in 0.5-degree steps (many equal values): all must be stored."""
    key = ctx.key("ts", "check", "kept")
    ctx.r.delete(key)
    data = readings(ctx.fork_rng("kept"))
    impl.add_many(ctx.r, key, data)
    stored = len(impl.points(ctx.r, key, T0, T0 + HOUR * STEP_MS))
    distinct = len({v for _, v in data})
    return verdict(
        stored == len(data),
        f"{stored} of {len(data)} readings stored ({distinct} distinct values among them)",
        pitfall="a sorted set keeps each member once: with the value as the member, a repeated "
        "reading moves the earlier one; put the timestamp in the member",
        stored=stored,
        expected=len(data),
    )


@check("time-series.range", "a time range returns exactly the readings inside it")
def time_range(ctx: DrillContext, impl: Any) -> Verdict:
    """Inclusive bounds, time order, values intact."""
    key = ctx.key("ts", "check", "range")
    ctx.r.delete(key)
    data = readings(ctx.fork_rng("range"))
    impl.add_many(ctx.r, key, data)
    start, end = T0 + 100 * STEP_MS, T0 + 129 * STEP_MS
    got = impl.points(ctx.r, key, start, end)
    want = [p for p in data if start <= p[0] <= end]
    return verdict(
        got == want,
        f"{len(got)} readings in the 5-minute window (want {len(want)})",
        pitfall="ZRANGE ... BYSCORE bounds are inclusive; the score is the timestamp",
        returned=len(got),
    )


@check("time-series.downsample", "downsampled buckets match the raw readings")
def downsample(ctx: DrillContext, impl: Any) -> Verdict:
    """5-minute count/sum/min/max buckets equal a computation from the raw points."""
    key = ctx.key("ts", "check", "down")
    ctx.r.delete(key)
    data = readings(ctx.fork_rng("down"))
    impl.add_many(ctx.r, key, data)
    start, end = T0, T0 + HOUR * STEP_MS
    got = impl.downsample(ctx.r, key, start, end, BUCKET_MS)
    want = expected_buckets(data, start, end, BUCKET_MS)
    ok = same_buckets(got, want)
    return verdict(
        ok,
        f"{len(got)} buckets {'match' if ok else 'DIFFER from'} the raw readings ({len(want)} expected)",
        pitfall="buckets start at multiples of the bucket size (ts - ts % size), as TS.RANGE aligns "
        "them; a script must return numbers as text (Lua numbers become integers in replies)",
        buckets=len(got),
    )


CHECKS = (every_point_kept, time_range, downsample)
