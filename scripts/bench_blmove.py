"""How long BLMOVE on an empty list waits before it gives up, on each backend (a figure, not a test).

Redis blocks for the whole timeout; the embedded fakeredis returns at once. The lists drill says so
in its narration; this prints the measured waits (median of N claims with a 0.2 s timeout) on the
embedded backend and on a throw-away redis-server this script starts (stopped by PID).
Usage: python scripts/bench_blmove.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import time

from redisprep.backends import Backend, connect, delete_namespace
from redisprep.drills.context import DrillContext
from redisprep.drills.lists import reference as ls
from redisprep.localserver import start_server

TIMEOUT_S = 0.2


def waits(backend: Backend, runs: int) -> list[float]:
    ctx = DrillContext.create(backend, seed=0)
    measured = []
    try:
        for _ in range(runs):
            start = time.perf_counter()
            assert ls.claim(ctx.r, ctx.key("{e}", "empty"), ctx.key("{e}", "p"), timeout_s=TIMEOUT_S) is None
            measured.append(time.perf_counter() - start)
    finally:
        delete_namespace(backend.client(), ctx.ns)
    return measured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    server = start_server()
    try:
        for label, url in (("embedded", None), ("redis-server", server.url)):
            backend = connect(url, disposable=url is not None)
            try:
                measured = waits(backend, runs)
            finally:
                backend.close()
            print(
                f"BLMOVE on an empty list, timeout {TIMEOUT_S} s, {label}: median wait "
                f"{statistics.median(measured) * 1000:.1f} ms over {runs} runs"
            )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
