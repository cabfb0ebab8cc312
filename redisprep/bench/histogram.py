"""Record latencies in an HDR histogram and summarise them as percentiles and log-spaced buckets."""

from __future__ import annotations

from redisprep.bench.model import Latency

#: Bucket upper bounds in µs: 1-2-5 steps from 10 µs to 1 s.
BOUNDS_US = tuple(m * 10**e for e in range(1, 6) for m in (1, 2, 5)) + (1_000_000,)


class Recorder:
    """Collects latencies (µs) with 3 significant digits, from 1 µs to 60 s."""

    def __init__(self) -> None:
        from hdrh.histogram import HdrHistogram

        self._h = HdrHistogram(1, 60_000_000, 3)

    def record(self, micros: float) -> None:
        """Add one sample (clamped to the trackable range)."""
        self._h.record_value(min(60_000_000, max(1, round(micros))))

    def summary(self, label: str) -> Latency:
        """Percentiles and buckets of everything recorded so far."""
        h = self._h
        counts = [0] * len(BOUNDS_US)
        for item in h.get_recorded_iterator():
            value = item.value_iterated_to
            index = next((i for i, b in enumerate(BOUNDS_US) if value <= b), len(BOUNDS_US) - 1)
            counts[index] += item.count_added_in_this_iter_step
        first = next((i for i, c in enumerate(counts) if c), 0)
        last = max((i for i, c in enumerate(counts) if c), default=0)
        return Latency(
            label=label,
            count=h.get_total_count(),
            p50_us=float(h.get_value_at_percentile(50)),
            p99_us=float(h.get_value_at_percentile(99)),
            p999_us=float(h.get_value_at_percentile(99.9)),
            max_us=float(h.get_max_value()),
            mean_us=float(h.get_mean_value()),
            buckets=tuple((float(BOUNDS_US[i]), counts[i]) for i in range(first, last + 1)),
        )
