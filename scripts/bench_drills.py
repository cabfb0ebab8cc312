"""Drill wall-time benchmark: each drill (and `drill all`) on the embedded backend and a local server.

Starts a throw-away redis-server (when installed) for the live figures, stops it by PID.
Usage: python scripts/bench_drills.py [--runs N]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import time_commands  # noqa: E402

from redisprep.drills import drill_names  # noqa: E402
from redisprep.errors import BackendUnsupportedError  # noqa: E402
from redisprep.localserver import start_server  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    py = sys.executable
    commands = {f"drill {n} (embedded)": [py, "-m", "redisprep", "drill", n] for n in drill_names()}
    commands["drill all (embedded)"] = [py, "-m", "redisprep", "drill", "all"]
    server = None
    try:
        server = start_server()
    except BackendUnsupportedError as exc:
        print(f"live figures skipped: {exc}")
    if server is not None:
        for n in drill_names():
            commands[f"drill {n} (live 127.0.0.1)"] = [py, "-m", "redisprep", "drill", n, "--url", server.url]
        commands["drill all (live 127.0.0.1)"] = [py, "-m", "redisprep", "drill", "all", "--url", server.url]
    try:
        medians = time_commands(commands, runs=args.runs)
    finally:
        if server is not None:
            server.stop()
    print(f"drill wall time, median of {args.runs} interleaved runs (whole process, start-up included)")
    for name, seconds in medians.items():
        print(f"  {name:44s} {seconds * 1000:8.0f} ms")


if __name__ == "__main__":
    main()
