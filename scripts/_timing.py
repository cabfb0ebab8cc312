"""Helpers for the benchmark scripts: time whole commands, interleaved, and report medians."""

from __future__ import annotations

import statistics
import subprocess
import time
from collections.abc import Sequence


def time_commands(commands: dict[str, Sequence[str]], runs: int = 15) -> dict[str, float]:
    """Median wall seconds of each command; runs are interleaved so noise hits all alike."""
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for argv in commands.values():  # one warm-up each (page cache, .pyc files)
        subprocess.run(argv, capture_output=True, check=True)
    for _ in range(runs):
        for name, argv in commands.items():
            start = time.perf_counter()
            subprocess.run(argv, capture_output=True, check=True)
            samples[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in samples.items()}
