"""How long `redisprep practice watch` takes from a save to the new result on screen (median of N).

A real terminal (pexpect) runs ``practice watch NAME`` on the embedded backend; the module is saved
alternately as a wrong solution and as the reference, and each time the clock runs from the save
until the screen shows that grade's verdict (the first failing check, or all passed). The issue's
target is 1 s. Needs pexpect (a dev dependency).

Usage: python scripts/bench_watch.py [--saves N] [--exercise NAME]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pexpect
from bench_practice import reference

from redisprep.practice.catalog import load_exercises

ROOT = Path(__file__).resolve().parent.parent
WRONG = {"leaderboard": "ascending_top.py", "lock": "check_then_act.py", "cache": "plain_ttl.py"}
TARGET_S = 1.0


def _save(path: Path, text: str) -> float:
    """Write ``text`` so that the new modification time is seen; when the save happened."""
    before = path.stat().st_mtime_ns
    while True:
        path.write_text(text)
        if path.stat().st_mtime_ns != before:
            return time.perf_counter()
        time.sleep(0.005)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=6)
    parser.add_argument("--exercise", default="leaderboard", choices=sorted(WRONG))
    args = parser.parse_args()
    exercise = next(e for e in load_exercises() if e.name == args.exercise)
    right = reference(ROOT, args.exercise).read_text()
    wrong = (ROOT / "drills" / args.exercise / "wrong" / WRONG[args.exercise]).read_text()
    home = Path(tempfile.mkdtemp(prefix="redisprep-bench-watch-"))
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200", "TERM": "dumb", "REDISPREP_HOME": str(home / "h"),
           "REDISPREP_SERVER": "/nonexistent/redis-server"}  # fmt: skip
    try:
        subprocess.run([sys.executable, "-m", "redisprep", "practice", "start", args.exercise],
                       cwd=home, env=env, capture_output=True, check=True)  # fmt: skip
        module = home / "practice" / exercise.module
        argv = ["-m", "redisprep", "practice", "watch", args.exercise]
        watch = pexpect.spawn(
            sys.executable, argv, cwd=str(home), env=env, encoding="utf-8", timeout=60, dimensions=(50, 200)
        )
        watch.expect(r"checks passed")  # the starter's first grade
        took = []
        for i in range(args.saves):
            saved = _save(module, wrong if i % 2 == 0 else right)
            watch.expect("saved: grading again")
            watch.expect(r"first failing: |all \d+ checks passed")
            took.append(time.perf_counter() - saved)
        watch.send("q")
        watch.expect(pexpect.EOF)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    median = statistics.median(took)
    print(f"practice watch {args.exercise}, embedded backend: save -> verdict on screen, {args.saves} saves")
    print(f"  median {median:.2f} s, min {min(took):.2f} s, max {max(took):.2f} s; target {TARGET_S:.1f} s: "
          f"{'met' if median <= TARGET_S else 'missed'}")  # fmt: skip


if __name__ == "__main__":
    main()
