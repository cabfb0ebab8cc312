"""Run the whole benchmark against one backend and clean up after it."""

from __future__ import annotations

from dataclasses import dataclass

from redisprep.backends import Backend, Namespace, translate_errors
from redisprep.bench import client_side, compare, external
from redisprep.bench.compare import Compared
from redisprep.bench.model import BenchReport, Progress
from redisprep.bench.scale import scale_run
from redisprep.run import Run, Target


@dataclass(frozen=True, slots=True)
class BenchOptions:
    """What to measure, and how much."""

    requests: int = 20_000
    """SETs for the unpipelined and multi-connection runs; pipelined runs send 5x as many."""
    depths: tuple[int, ...] = (10, 100, 1000)
    connections: int = 4
    value_size: int = 3
    """Bytes per value (redis-benchmark's default is 3)."""
    latency_samples: int = 10_000
    players: int = 100_000
    """Largest leaderboard of the scale run (0 skips it)."""
    queries: int = 1_000
    """Rank and top-K queries timed at each leaderboard size."""
    redis_benchmark: bool = True
    seed: int = 0


def measure(target: Target, options: BenchOptions, progress: Progress) -> BenchReport:
    """``redisprep bench``: connect to ``target``, run :func:`run_bench` there, and close the connection."""
    with Run(target, writes=False) as shared:
        return run_bench(shared.backend, options, progress)


def run_bench(backend: Backend, options: BenchOptions, progress: Progress) -> BenchReport:
    """Measure writes, read latency, redis-benchmark (where possible) and the leaderboard at scale.

    Every key is written under the run's namespace and removed at the end, also on errors and Ctrl-C
    (:class:`~redisprep.run.Run`).
    """
    value = "x" * options.value_size
    note = None if options.redis_benchmark else "skipped (--no-redis-benchmark)"
    if note is None:
        live = backend.kind == "live"
        note = external.unavailable_reason(backend.url) if live else "it needs a single live server (--url)"
    with Run(backend=backend, what="bench") as run:
        ns = run.ns
        client = backend.client(single_connection_client=True)
        with translate_errors(backend.label):
            measured = _rates(backend, client, ns, options, value, progress, note is None)
            latency = client_side.read_latency(client, ns, options.latency_samples, progress)
            scale = (
                scale_run(client, ns, options.players, options.queries, options.seed, progress)
                if options.players > 0
                else []
            )
    return BenchReport(
        backend=backend.label,
        embedded=backend.kind == "embedded",
        rates=tuple(m.ours for m in measured),
        latencies=(latency,),
        external=tuple(m.external for m in measured if m.external is not None),
        external_note=note,
        scale=tuple(scale),
        keys_removed=run.keys_removed,
        bare=tuple(m.bare for m in measured if m.bare is not None),
    )


def _rates(
    backend: Backend,
    client: object,
    ns: Namespace,
    options: BenchOptions,
    value: str,
    progress: Progress,
    rb: bool,
) -> list[Compared]:
    """Our rates in table order, each with what it is compared with (redis-benchmark if ``rb``)."""
    n, url = options.requests, backend.url
    out = [compare.one_connection(backend, ns, n, value, progress, rb)]
    for depth in options.depths:
        rate = client_side.pipelined_writes(client, ns, n * 5, depth, value, progress)
        theirs = None
        if rb and url is not None and depth == max(options.depths):  # the deepest only
            progress(f"redis-benchmark like '{rate.label}'", 0, 1)
            theirs = external.run_like(url, ns, rate, value)
        out.append(Compared(rate, None, theirs))
    progress(f"SET from {options.connections} connections", 0, 1)
    if backend.kind == "live" and url is not None:
        out.append(compare.processes(url, ns, n, options.connections, value, progress, rb))
    else:
        threaded = client_side.threaded_writes(backend, ns, n, options.connections, value)
        out.append(Compared(threaded, None, None))
    return out
