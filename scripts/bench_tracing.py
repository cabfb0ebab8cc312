"""Tracing overhead per command: untraced, traced (Tracer), and explained (Tracer + explain observer).

Runs on the embedded backend and on a throw-away redis-server on loopback (stopped by PID), in one
run. Modes are interleaved in short blocks, rotating which goes first, so machine noise hits them
alike; each time is the median per-command time over the blocks, and each ratio (traced/untraced,
explained/untraced) the median of the ratios within each block, which a busy machine disturbs far
less than a ratio of two medians taken apart.

Usage: python scripts/bench_tracing.py [--commands N] [--blocks B] [--url URL --json]
(--url: measure that server instead of starting one; --json: print its figures as JSON only.)
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

from redisprep.backends import Backend, Namespace, connect, delete_namespace
from redisprep.errors import BackendUnsupportedError
from redisprep.explain.observer import Explainer
from redisprep.explain.tracing import Tracer
from redisprep.localserver import start_server

BOARD_SIZE = 1000


def _workloads(ns: Namespace) -> dict[str, Callable[[Any, int], None]]:
    board, text = ns.key("board"), ns.key("text")

    def zincrby(r: Any, i: int) -> None:
        r.zincrby(board, 1, f"player:{i % BOARD_SIZE:04d}")

    def get(r: Any, i: int) -> None:
        r.get(text)

    def pipeline(r: Any, i: int) -> None:  # one round trip of 10 commands, counted as 10
        pipe = r.pipeline(transaction=False)
        for j in range(10):
            pipe.zscore(board, f"player:{(i + j) % BOARD_SIZE:04d}")
        pipe.execute()

    return {"ZINCRBY (1000-member zset)": zincrby, "GET": get, "pipeline of 10 ZSCORE": pipeline}


def _clients(backend: Backend) -> dict[str, Any]:
    return {
        "untraced": backend.client(),
        "traced": Tracer().attach(backend.client()),
        "explained": Tracer(observer=Explainer(backend)).attach(backend.client()),
    }


def bench(backend: Backend, commands: int, blocks: int) -> dict[str, dict[str, float]]:
    """Median microseconds per command for each workload and mode."""
    ns = Namespace.new()
    seed = backend.client()
    seed.zadd(ns.key("board"), {f"player:{i:04d}": i for i in range(BOARD_SIZE)})
    seed.set(ns.key("text"), "hello")
    clients = _clients(backend)
    results: dict[str, dict[str, float]] = {}
    try:
        for workload, fn in _workloads(ns).items():
            per_command = 10 if workload.startswith("pipeline") else 1
            calls = max(1, commands // per_command)
            samples: dict[str, list[float]] = {mode: [] for mode in clients}
            for client in clients.values():  # warm-up
                for i in range(min(calls, 50)):
                    fn(client, i)
            order = list(clients.items())
            for block in range(blocks):
                # Rotate which mode goes first, so no mode always pays for a cold start.
                for mode, client in order[block % 3 :] + order[: block % 3]:
                    start = time.perf_counter()
                    for i in range(calls):
                        fn(client, i)
                    samples[mode].append((time.perf_counter() - start) / (calls * per_command) * 1e6)
            results[workload] = {mode: statistics.median(v) for mode, v in samples.items()}
            for mode, key in (("traced", "traced/untraced"), ("explained", "explained/untraced")):
                pairs = zip(samples[mode], samples["untraced"], strict=True)
                results[workload][key] = statistics.median(m / u for m, u in pairs)
    finally:
        delete_namespace(seed, ns)
        backend.close()
    return results


def _report(label: str, results: dict[str, dict[str, float]]) -> None:
    print(f"\n{label}")
    columns = ("untraced", "traced", "explained", "traced/un", "expl/un")
    print(f"  {'workload':28s} " + " ".join(f"{c:>10s}" for c in columns))
    for workload, modes in results.items():
        base = modes["untraced"]
        print(
            f"  {workload:28s} {base:8.1f}µs {modes['traced']:8.1f}µs {modes['explained']:8.1f}µs "
            f"{modes['traced/untraced']:9.2f}x {modes['explained/untraced']:9.2f}x"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=200, help="commands per block and mode")
    parser.add_argument("--blocks", type=int, default=41)
    parser.add_argument("--url", help="a server to measure on loopback (default: start one)")
    parser.add_argument("--json", action="store_true", help="print the loopback figures as JSON only")
    args = parser.parse_args()
    if args.url:
        results = bench(connect(args.url), args.commands, args.blocks)
        if args.json:
            print(json.dumps(results))
        else:
            _report(f"redis-server on loopback ({args.url})", results)
        return
    print(f"per-command time, median of {args.blocks} interleaved blocks of {args.commands} commands")
    _report("embedded fakeredis", bench(connect(None), args.commands, args.blocks))
    try:
        server = start_server()
    except BackendUnsupportedError as exc:
        print(f"\nloopback figures skipped: {exc}")
        return
    try:
        _report(
            f"redis-server on loopback ({server.url})", bench(connect(server.url), args.commands, args.blocks)
        )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
