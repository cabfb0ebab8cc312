"""redisprep's client, a bare redis-py client and redis-benchmark, measured in alternating rounds.

On a busy machine throughput drifts from one second to the next: measured one after another, the
same two runs can differ by half. Alternating short rounds of each lets the drift hit all three
alike, so the ratios that ``bench`` reports hold still.
"""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Any

from redisprep.backends import Backend, Namespace
from redisprep.bench import external
from redisprep.bench.client_side import key_for
from redisprep.bench.model import ExternalRate, Progress, Rate
from redisprep.errors import BackendUnavailableError

#: Rounds of each contender; each sends its share of the requests per round.
ROUNDS = 4


@dataclass(frozen=True, slots=True)
class Compared:
    """One way of sending (one connection, or N processes) measured three ways."""

    ours: Rate
    """redisprep's client: a dedicated connection each, the fast-fail timeouts, RESP2."""
    bare: Rate | None
    """``redis.Redis.from_url(url)`` as a user would write it (None on the embedded backend)."""
    external: ExternalRate | None
    """redis-benchmark with the same connections (None where it cannot run)."""


def _shares(n: int) -> list[int]:
    base = n // ROUNDS
    return [base + (1 if r < n % ROUNDS else 0) for r in range(ROUNDS)]


def _timed(client: Any, ns: Namespace, first: int, count: int, value: str) -> float:
    start = time.perf_counter()
    for i in range(first, first + count):
        client.set(key_for(ns, i), value)
    return time.perf_counter() - start


class _Rounds:
    """Seconds and requests per contender, added up round by round."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {"ours": 0.0, "bare": 0.0}
        self.external: list[tuple[int, float, float | None]] = []

    def external_rate(self, connections: int, matches: str) -> ExternalRate | None:
        if not self.external:
            return None
        total = sum(n for n, _, _ in self.external)
        took = sum(n / rps for n, rps, _ in self.external if rps > 0)
        p50s = [p for _, _, p in self.external if p is not None]
        return ExternalRate(
            label=f"redis-benchmark -c {connections} -P 1",
            per_second=total / took if took > 0 else 0.0,
            p50_ms=statistics.median(p50s) if p50s else None,
            matches=matches,
            requests=total,
        )


def one_connection(
    backend: Backend, ns: Namespace, n: int, value: str, progress: Progress, rb: bool
) -> Compared:
    """``n`` unpipelined SETs on one connection: ours, bare redis-py and redis-benchmark (``rb``)."""
    import redis

    url = backend.url
    ours = backend.client(single_connection_client=True)
    bare = redis.Redis.from_url(url) if url is not None and backend.kind == "live" else None
    totals, done = _Rounds(), 0
    try:
        for share in _shares(n):
            progress("SET, no pipeline", done, n)
            totals.seconds["ours"] += _timed(ours, ns, done, share, value)
            if bare is not None:
                totals.seconds["bare"] += _timed(bare, ns, done, share, value)
            if rb and url is not None:
                totals.external.append((share, *external.run(url, ns, share, 1, 1, value)))
            done += share
        progress("SET, no pipeline", n, n)
    finally:
        if bare is not None:
            bare.close()
    label = "1 connection"
    return Compared(
        Rate(label, n, totals.seconds["ours"]),
        Rate(label, n, totals.seconds["bare"]) if bare is not None else None,
        totals.external_rate(1, label),
    )


def processes(
    url: str, ns: Namespace, n: int, count: int, value: str, progress: Progress, rb: bool
) -> Compared:
    """``n`` SETs split over ``count`` processes (no shared GIL), one connection each, three ways.

    Each worker is ``python -m redisprep.bench.worker``; the URL travels in the environment, not on
    the command line, so a password never shows in the process list.
    """
    share = n // count
    label = f"{count} processes"
    totals = _Rounds()
    with _Workers(url, ns, count, share, value) as workers:
        for r, per_process in enumerate(_shares(share)):
            progress(f"SET from {count} processes", r, ROUNDS)
            totals.seconds["ours"] += workers.round("ours", per_process)
            totals.seconds["bare"] += workers.round("bare", per_process)
            if rb:
                sent = per_process * count
                totals.external.append((sent, *external.run(url, ns, sent, count, 1, value)))
        progress(f"SET from {count} processes", ROUNDS, ROUNDS)
    return Compared(
        Rate(label, share * count, totals.seconds["ours"], connections=count),
        Rate(label, share * count, totals.seconds["bare"], connections=count),
        totals.external_rate(count, label),
    )


class _Workers:
    """``count`` connected worker processes that run rounds on request."""

    def __init__(self, url: str, ns: Namespace, count: int, share: int, value: str) -> None:
        env = {**os.environ, "REDISPREP_BENCH_URL": url}
        argv = [sys.executable, "-m", "redisprep.bench.worker", ns.run_id]
        self.procs = [
            subprocess.Popen(
                [*argv, str(p * share), value],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
            )
            for p in range(count)
        ]

    def __enter__(self) -> _Workers:
        try:
            for proc in self.procs:
                self._expect(proc, "ready")
        except BaseException:
            self.__exit__()
            raise
        return self

    def round(self, which: str, per_process: int) -> float:
        """Wall seconds from telling every worker to start until the last one is done."""
        start = time.perf_counter()
        for proc in self.procs:
            assert proc.stdin is not None
            proc.stdin.write(f"{which} {per_process}\n")
            proc.stdin.flush()
        for proc in self.procs:
            json.loads(self._expect(proc, "{"))
        return time.perf_counter() - start

    def _expect(self, proc: subprocess.Popen[str], start: str) -> str:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line.startswith(start):
            proc.kill()
            _, err = proc.communicate(timeout=10)
            lines = err.strip().splitlines()
            raise BackendUnavailableError(
                f"a benchmark process failed: {lines[-1] if lines else proc.returncode}"
            )
        return line

    def __exit__(self, *exc: object) -> None:
        for proc in self.procs:
            if proc.stdin is not None and not proc.stdin.closed:
                with contextlib.suppress(OSError):  # a worker that died closed its end
                    proc.stdin.close()
        for proc in self.procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            for stream in (proc.stdout, proc.stderr):
                if stream is not None:
                    stream.close()
