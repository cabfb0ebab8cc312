"""What a Python client reaches: writes one at a time, pipelined, from several connections; GET latency."""

from __future__ import annotations

import threading
import time
from typing import Any

from redisprep.backends import Backend, Namespace
from redisprep.bench.histogram import Recorder
from redisprep.bench.model import Latency, Progress, Rate

#: Writes cycle over this many keys, so memory stays bounded however many requests are sent.
KEYSPACE = 10_000
_TICK = 500


def key_for(ns: Namespace, i: int) -> str:
    return ns.key("bench", str(i % KEYSPACE))


def single_writes(client: Any, ns: Namespace, n: int, value: str, progress: Progress) -> Rate:
    """``n`` SETs, each waiting for its reply before the next is sent."""
    start = time.perf_counter()
    for i in range(n):
        client.set(key_for(ns, i), value)
        if i % _TICK == 0:
            progress("SET, no pipeline", i, n)
    took = time.perf_counter() - start
    progress("SET, no pipeline", n, n)
    return Rate("1 connection", n, took)


def pipelined_writes(client: Any, ns: Namespace, n: int, depth: int, value: str, progress: Progress) -> Rate:
    """``n`` SETs sent ``depth`` at a time (one round trip per batch)."""
    label = f"SET, pipeline of {depth}"
    start = time.perf_counter()
    for first in range(0, n, depth):
        pipe = client.pipeline(transaction=False)
        for i in range(first, min(n, first + depth)):
            pipe.set(key_for(ns, i), value)
        pipe.execute()
        progress(label, min(n, first + depth), n)
    took = time.perf_counter() - start
    return Rate(f"pipeline of {depth}", n, took, pipeline=depth)


def threaded_writes(backend: Backend, ns: Namespace, n: int, threads: int, value: str) -> Rate:
    """``n`` SETs split over ``threads`` threads, each with its own connection.

    On the embedded backend threads share one interpreter (and its GIL) with the server, so this
    shows Python's limits rather than Redis's.
    """
    clients = [backend.client() for _ in range(threads)]
    share = n // threads
    barrier = threading.Barrier(threads + 1)
    elapsed: list[float] = [0.0] * threads

    def work(t: int) -> None:
        barrier.wait()
        start = time.perf_counter()
        for i in range(t * share, (t + 1) * share):
            clients[t].set(key_for(ns, i), value)
        elapsed[t] = time.perf_counter() - start

    workers = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
    for w in workers:
        w.start()
    barrier.wait()
    for w in workers:
        w.join()
    return Rate(f"{threads} threads", share * threads, max(elapsed), connections=threads)


def process_writes(url: str, ns: Namespace, n: int, processes: int, value: str) -> Rate:
    """``n`` SETs split over ``processes`` processes (no shared GIL), each with one connection.

    Each worker is ``python -m redisprep.bench.worker``; the URL travels in the environment, not on
    the command line, so a password never shows in the process list. All start at the same instant.
    """
    import json
    import os
    import subprocess
    import sys

    share = n // processes
    start_at = time.time() + 2.0  # time for every worker to import redis and connect
    env = {**os.environ, "REDISPREP_BENCH_URL": url}
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "redisprep.bench.worker",
                ns.run_id,
                str(p * share),
                str(share),
                value,
                repr(start_at),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for p in range(processes)
    ]
    elapsed = []
    for w in workers:
        out, err = w.communicate(timeout=600)
        if w.returncode != 0:
            from redisprep.errors import BackendUnavailableError

            lines = err.strip().splitlines()
            raise BackendUnavailableError(
                f"a benchmark process failed: {lines[-1] if lines else w.returncode}"
            )
        elapsed.append(float(json.loads(out)["seconds"]))
    return Rate(f"{processes} processes", share * processes, max(elapsed), connections=processes)


def read_latency(client: Any, ns: Namespace, n: int, progress: Progress) -> Latency:
    """Latency of ``n`` GETs of existing keys, one round trip each."""
    recorder = Recorder()
    for i in range(n):
        start = time.perf_counter()
        client.get(key_for(ns, i))
        recorder.record((time.perf_counter() - start) * 1e6)
        if i % _TICK == 0:
            progress("GET latency", i, n)
    progress("GET latency", n, n)
    return recorder.summary("GET, 1 connection")
