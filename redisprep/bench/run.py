"""Run the whole benchmark against one backend and clean up after it."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from redisprep.backends import Backend, Namespace, translate_errors
from redisprep.bench import client_side, external
from redisprep.bench.model import BenchReport, ExternalRate, Progress, Rate
from redisprep.bench.scale import scale_run
from redisprep.cleanup import after_backend_failure, mark_run, remove_run_keys
from redisprep.errors import BackendUnavailableError, RedisprepError


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


def run_bench(backend: Backend, url: str | None, options: BenchOptions, progress: Progress) -> BenchReport:
    """Measure writes, read latency, redis-benchmark (where possible) and the leaderboard at scale.

    Every key is written under a fresh namespace and removed at the end, also on errors and Ctrl-C.
    """
    ns = Namespace.new()
    client = backend.client()
    value = "x" * options.value_size
    try:
        with translate_errors(backend.label):
            if backend.kind != "embedded":
                mark_run(client, ns, "bench")  # what 'clean' looks for after a kill
            rates = _rates(backend, url, client, ns, options, value, progress)
            latency = client_side.read_latency(client, ns, options.latency_samples, progress)
            note = None if options.redis_benchmark else "skipped (--no-redis-benchmark)"
            note = note or (
                external.unavailable_reason(url)
                if backend.kind == "live"
                else "it needs a single live server (--url)"
            )
            compared: list[ExternalRate] = []
            if note is None and url is not None:
                for rate in _comparable(rates):
                    progress(f"redis-benchmark like '{rate.label}'", 0, 1)
                    compared.append(external.run_like(url, ns, rate, value))
            scale = (
                scale_run(client, ns, options.players, options.queries, options.seed, progress)
                if options.players > 0
                else []
            )
    except BackendUnavailableError as exc:
        raise after_backend_failure(backend, ns, exc) from None
    except BaseException:
        with contextlib.suppress(RedisprepError):  # the original error is the one to report
            remove_run_keys(backend, ns)
        raise
    removed = remove_run_keys(backend, ns)
    return BenchReport(
        backend=backend.label,
        embedded=backend.kind == "embedded",
        rates=tuple(rates),
        latencies=(latency,),
        external=tuple(compared),
        external_note=note,
        scale=tuple(scale),
        keys_removed=removed,
    )


def _rates(
    backend: Backend,
    url: str | None,
    client: object,
    ns: Namespace,
    options: BenchOptions,
    value: str,
    progress: Progress,
) -> list[Rate]:
    n = options.requests
    rates = [client_side.single_writes(client, ns, n, value, progress)]
    for depth in options.depths:
        rates.append(client_side.pipelined_writes(client, ns, n * 5, depth, value, progress))
    progress(f"SET from {options.connections} connections", 0, 1)
    if backend.kind == "live" and url is not None:
        rates.append(client_side.process_writes(url, ns, n, options.connections, value))
    else:
        rates.append(client_side.threaded_writes(backend, ns, n, options.connections, value))
    return rates


def _comparable(rates: list[Rate]) -> list[Rate]:
    """One unpipelined, the deepest pipeline, and the multi-connection run."""
    single = [r for r in rates if r.pipeline == 1 and r.connections == 1]
    piped = sorted((r for r in rates if r.pipeline > 1), key=lambda r: r.pipeline)[-1:]
    many = [r for r in rates if r.connections > 1]
    return single + piped + many
