"""What a Python client reaches: writes one at a time, pipelined, from several threads; GET latency.

(One connection and several processes, next to bare redis-py and redis-benchmark: ``compare``.)
"""

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
