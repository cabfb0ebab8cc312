"""Start-up and drills, this working tree against a git revision: interleaved whole processes, medians.

The revision is checked out in a temporary worktree (removed afterwards) and put first on
``PYTHONPATH``; both run with this checkout's virtualenv, so only redisprep's own code differs.
Rows: ``import typer`` (the floor for a Typer CLI), ``--version``, ``--help``, ``drill leaderboard``
and ``drill all`` on the embedded default.

Usage: python scripts/bench_revisions.py REF [--runs N]   (drill all runs max(3, N // 2) times)
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = {
    "import typer": ["-c", "import typer"],
    "--version": ["-m", "redisprep", "--version"],
    "--help": ["-m", "redisprep", "--help"],
    "drill leaderboard": ["-m", "redisprep", "drill", "leaderboard"],
    "drill all": ["-m", "redisprep", "drill", "all"],
}


def measure(trees: dict[str, Path], runs: int) -> dict[tuple[str, str], float]:
    """Median wall seconds per (tree, command), every command run once per tree in turn."""
    times: dict[tuple[str, str], list[float]] = {(t, c): [] for t in trees for c in COMMANDS}
    for i in range(runs):
        for name, args in COMMANDS.items():
            if name == "drill all" and i >= max(3, runs // 2):
                continue
            for tree, root in trees.items():
                env = {**os.environ, "PYTHONPATH": str(root), "NO_COLOR": "1"}
                env.pop("REDISPREP_URL", None)
                env.pop("REDIS_URL", None)
                began = time.perf_counter()
                subprocess.run(
                    [sys.executable, *args], cwd=tempfile.gettempdir(), env=env, capture_output=True
                )
                times[(tree, name)].append(time.perf_counter() - began)
    return {key: statistics.median(values) for key, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ref", help="the git revision to compare with (before)")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="redisprep-revision-"))
    git = ["git", "-C", str(ROOT), "worktree"]
    subprocess.run([*git, "add", "-q", "--detach", str(base), args.ref], check=True, capture_output=True)
    try:
        medians = measure({"before": base, "after": ROOT}, args.runs)
    finally:
        subprocess.run([*git, "remove", "--force", str(base)], check=False, capture_output=True)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"before = {args.ref}, after = this working tree; {args.runs} runs, load average {load}")
    print(f"{'command':<20} {'before s':>9} {'after s':>9} {'after/before':>13}")
    for name in COMMANDS:
        b, a = medians[("before", name)], medians[("after", name)]
        print(f"{name:<20} {b:9.3f} {a:9.3f} {a / b:13.2f}")
    for name in ("--version", "--help"):
        ratios = [medians[(t, name)] / medians[(t, "import typer")] for t in ("before", "after")]
        print(f"{name} ÷ import typer: before {ratios[0]:.2f}x, after {ratios[1]:.2f}x")


if __name__ == "__main__":
    main()
