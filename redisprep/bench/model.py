"""Plain results of ``redisprep bench``: rates, latency distributions and the leaderboard scale run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

#: ``on_progress(label, done, total)``: called while long work runs (the CLI draws a bar).
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True)
class Rate:
    """Throughput of one way of sending commands."""

    label: str
    """What was measured (``1 connection``, ``pipeline of 100``, ``4 processes``)."""
    operations: int
    seconds: float
    connections: int = 1
    pipeline: int = 1

    @property
    def per_second(self) -> float:
        """Operations per second."""
        return self.operations / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True, slots=True)
class Latency:
    """A latency distribution recorded with an HDR histogram (microseconds)."""

    label: str
    count: int
    p50_us: float
    p99_us: float
    p999_us: float
    max_us: float
    mean_us: float
    buckets: tuple[tuple[float, int], ...]
    """(upper bound in µs, count) for log-spaced buckets, for drawing a histogram."""


@dataclass(frozen=True, slots=True)
class ExternalRate:
    """What ``redis-benchmark`` measured with the same settings as one of our rates."""

    label: str
    per_second: float
    p50_ms: float | None
    matches: str
    """The label of our :class:`Rate` it is compared with."""
    requests: int = 0
    """Requests redis-benchmark sent (more than ours for deep pipelines, so its timer resolves)."""


@dataclass(frozen=True, slots=True)
class ScalePoint:
    """Leaderboard query latency at one board size."""

    members: int
    seed_seconds: float
    """Time to grow the board to this size (pipelined ZADD)."""
    rank: Latency
    top: Latency


@dataclass(frozen=True, slots=True)
class BenchReport:
    """Everything ``redisprep bench`` measured."""

    backend: str
    embedded: bool
    rates: tuple[Rate, ...]
    latencies: tuple[Latency, ...]
    external: tuple[ExternalRate, ...]
    external_note: str | None
    """Why redis-benchmark did not run, when it did not."""
    scale: tuple[ScalePoint, ...]
    keys_removed: int
    bare: tuple[Rate, ...] = ()
    """A bare ``redis.Redis.from_url(url)`` client doing the same as some of :attr:`rates` (by label),
    measured in rounds alternating with them and with redis-benchmark (live servers only)."""
