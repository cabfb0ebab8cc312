"""How lock waiters retry: 8 workers x 200 acquisitions with each waiting strategy, on both backends.

Prints wall time, refused attempts (SET NX that returned nil) and how often the lock changed hands.
Starts a throw-away redis-server (when installed) for the live figures and stops it by PID.
Usage: python scripts/bench_lock.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from collections.abc import Callable
from typing import Any

from redisprep.backends import Backend, connect, delete_namespace
from redisprep.drills.context import DrillContext
from redisprep.drills.lock import reference as lk
from redisprep.drills.lock.checks import CriticalSection
from redisprep.errors import BackendUnsupportedError
from redisprep.localserver import start_server

WORKERS, ROUNDS, TTL_MS, WAIT_MS = 8, 200, 5_000, 30_000


def redispy_fixed_sleep(sleep_s: float) -> Callable[..., str | None]:
    """redis-py's Lock.acquire, polling every ``sleep_s`` seconds."""

    def acquire(r: Any, lock: str, ttl_ms: int, wait_ms: int = 0) -> str | None:
        token = lk.new_token()
        handle = r.lock(lock, timeout=ttl_ms / 1000, sleep=sleep_s, blocking_timeout=wait_ms / 1000)
        return token if handle.acquire(token=token) else None

    return acquire


STRATEGIES: dict[str, Callable[..., str | None]] = {
    "jittered backoff 0.5-8 ms (reference)": lk.acquire,
    "redis-py Lock, sleep=0.001": redispy_fixed_sleep(0.001),
    "redis-py Lock, sleep=0.1 (default)": redispy_fixed_sleep(0.1),
}


def run_once(backend: Backend, acquire: Callable[..., str | None]) -> tuple[float, int, int, bool]:
    ctx = DrillContext.create(backend)
    lock = ctx.key("lock", "{bench}")
    section = CriticalSection()
    holders: list[int] = []
    start = threading.Barrier(WORKERS)

    def worker(i: int, client: Any) -> None:
        start.wait()
        for _ in range(ROUNDS):
            token = acquire(client, lock, TTL_MS, wait_ms=WAIT_MS)
            assert token is not None
            holders.append(i)
            section.run()
            lk.release(client, lock, token)

    t0 = time.perf_counter()
    ctx.run_workers(WORKERS, worker)
    took = time.perf_counter() - t0
    sets = sum(1 for c in ctx.tracer.commands if c.name == "SET")
    handoffs = sum(1 for a, b in zip(holders, holders[1:], strict=False) if a != b)
    delete_namespace(backend.client(), ctx.ns)
    return took, sets - WORKERS * ROUNDS, handoffs, section.overlaps == 0 and section.counter == 1600


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    server = None
    backends = {"embedded": connect(None)}
    try:
        server = start_server()
        backends["live 127.0.0.1"] = connect(server.url, disposable=True)
    except BackendUnsupportedError as exc:
        print(f"live figures skipped: {exc}")
    try:
        print(f"{WORKERS} workers x {ROUNDS} acquisitions, median of {args.runs} runs (traced)")
        for label, backend in backends.items():
            for name, acquire in STRATEGIES.items():
                runs = [run_once(backend, acquire) for _ in range(args.runs)]
                took = statistics.median(r[0] for r in runs)
                refused = statistics.median(r[1] for r in runs)
                handoffs = statistics.median(r[2] for r in runs)
                ok = all(r[3] for r in runs)
                print(
                    f"  {label:15s} {name:40s} {took * 1000:7.0f} ms  refused {refused:6.0f}  "
                    f"handoffs {handoffs:5.0f}  {'no overlap' if ok else 'OVERLAP'}"
                )
    finally:
        for backend in backends.values():
            backend.close()
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
