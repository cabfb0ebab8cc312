"""How long `redisprep practice check NAME` takes on the embedded backend, per exercise (median of N).

Each run is the real entry point, ``python -m redisprep practice check NAME --impl <reference>`` in a
subprocess (start-up included), with ``$REDISPREP_SERVER`` pointing at no program so the grade runs
on the embedded fakeredis (as it does where no redis-server is installed). The target is 1.0 s.
With --baseline REF the same checks of a git revision (a temporary worktree, first on PYTHONPATH,
graded with its own reference) run interleaved with this tree's, so both see the same machine.

Usage: python scripts/bench_practice.py [--runs N] [--exercise NAME ...] [--baseline REF]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench_targets import baseline_tree

from redisprep.drills import get_drill
from redisprep.practice.catalog import load_exercises

ROOT = Path(__file__).resolve().parent.parent
EMBEDDED = {"REDISPREP_SERVER": "/nonexistent/redis-server", "NO_COLOR": "1"}
TARGET_S = 1.0


def reference(tree: Path, name: str) -> Path:
    """The exercise's reference solution in ``tree`` (this checkout, or the baseline's)."""
    exercise = next(e for e in load_exercises() if e.name == name)
    module = get_drill(exercise.drill).drill.reference
    return tree.joinpath(*module.split(".")).with_suffix(".py")


def check_once(tree: Path, name: str) -> tuple[float, int]:
    env = {**os.environ, **EMBEDDED}
    if tree != ROOT:
        env["PYTHONPATH"] = str(tree)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "redisprep", "practice", "check", name, "--impl", str(reference(tree, name)),
         "--no-cards"],
        capture_output=True, env=env, check=False, cwd=tree,
    )  # fmt: skip
    return time.perf_counter() - started, done.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--exercise", action="append", default=None)
    parser.add_argument("--baseline", metavar="REF", help="a git revision to measure side by side")
    args = parser.parse_args()
    names = args.exercise or [e.name for e in load_exercises()]
    print(f"practice check on the embedded backend, median of {args.runs} (wall time, start-up included)")
    with baseline_tree(args.baseline) as base:
        trees = {"now": ROOT} if base is None else {args.baseline: base, "now": ROOT}
        head = "".join(f" {label[:9]:>9}" for label in trees)
        print(f"{'exercise':<16}{head}   min s   max s  exit codes  target {TARGET_S:.1f} s")
        for name in names:
            runs: dict[str, list[tuple[float, int]]] = {label: [] for label in trees}
            for _ in range(args.runs):  # interleaved: each tree in turn
                for label, tree in trees.items():
                    runs[label].append(check_once(tree, name))
            now = [t for t, _ in runs["now"]]
            medians = "".join(f" {statistics.median(t for t, _ in r):9.2f}" for r in runs.values())
            codes = sorted({c for r in runs.values() for _, c in r})
            verdict = "met" if statistics.median(now) <= TARGET_S else "missed"
            spread = f"{min(now):7.2f} {max(now):7.2f}"
            print(f"{name:<16}{medians} {spread}  {codes!s:<10}  {verdict}", flush=True)


if __name__ == "__main__":
    main()
