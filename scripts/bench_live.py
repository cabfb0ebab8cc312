"""`redisprep bench` against a throw-away local redis-server (started here, stopped by PID).

Usage: python scripts/bench_live.py [--players N] [--requests N]
Prints redisprep bench's own report: writes/s (one at a time, pipelined, several processes) next to
redis-benchmark, GET latency percentiles, and rank/top-K latency as the leaderboard grows.
"""

from __future__ import annotations

import argparse
import subprocess
import sys

from redisprep.localserver import start_server


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--players", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=20_000)
    args = parser.parse_args()
    server = start_server()
    try:
        cmd = [
            sys.executable,
            "-m",
            "redisprep",
            "bench",
            "--url",
            server.url,
            "--players",
            str(args.players),
            "--requests",
            str(args.requests),
        ]
        print("$ redisprep bench --url", server.url, "--players", args.players, flush=True)
        return subprocess.run(cmd, check=False).returncode
    finally:
        server.stop()


if __name__ == "__main__":
    raise SystemExit(main())
