"""How long `redisprep practice check NAME` takes on the embedded backend, per exercise (median of N).

Each run is the real entry point, ``python -m redisprep practice check NAME --impl <reference>`` in a
subprocess (start-up included), with ``$REDISPREP_SERVER`` pointing at no program so the grade runs
on the embedded fakeredis (as it does where no redis-server is installed).
Usage: python scripts/bench_practice.py [--runs N] [--exercise NAME ...]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from redisprep.drills import get_drill
from redisprep.practice.catalog import load_exercises

EMBEDDED = {"REDISPREP_SERVER": "/nonexistent/redis-server", "NO_COLOR": "1"}


def reference(name: str) -> Path:
    exercise = next(e for e in load_exercises() if e.name == name)
    spec = importlib.util.find_spec(get_drill(exercise.drill).drill.reference)
    assert spec is not None and spec.origin is not None
    return Path(spec.origin)


def check_once(name: str) -> tuple[float, int]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "redisprep", "practice", "check", name, "--impl", str(reference(name))],
        capture_output=True,
        env={**os.environ, **EMBEDDED},
        check=False,
    )
    return time.perf_counter() - started, done.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--exercise", action="append", default=None)
    args = parser.parse_args()
    names = args.exercise or [e.name for e in load_exercises()]
    print(f"practice check on the embedded backend, median of {args.runs} (wall time, start-up included)")
    print(f"{'exercise':<16} {'median s':>9} {'min s':>7} {'max s':>7}  exit codes")
    for name in names:
        runs = [check_once(name) for _ in range(args.runs)]
        times = [t for t, _ in runs]
        codes = sorted({c for _, c in runs})
        print(
            f"{name:<16} {statistics.median(times):9.2f} {min(times):7.2f} {max(times):7.2f}  {codes}",
            flush=True,
        )


if __name__ == "__main__":
    main()
