"""Run ``redis-benchmark`` with the same settings as our own measurements, inside the run's namespace."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from urllib.parse import urlsplit

from redisprep.backends import Namespace
from redisprep.bench.model import ExternalRate, Rate
from redisprep.errors import BackendUnavailableError


def unavailable_reason(url: str | None) -> str | None:
    """Why redis-benchmark cannot be compared here, or None when it can."""
    if url is None:
        return "the embedded server has no network port for redis-benchmark to use"
    if shutil.which("redis-benchmark") is None:
        return "redis-benchmark is not installed (Debian/Ubuntu: apt-get install redis-tools)"
    parts = urlsplit(url)
    if parts.password:
        return (
            "redis-benchmark takes a password only on its command line, where other local users "
            "could read it; run it yourself if that is acceptable"
        )
    if parts.scheme not in ("redis", "unix"):
        return f"redis-benchmark comparison supports redis:// and unix:// URLs, not {parts.scheme}://"
    return None


def run_like(url: str, ns: Namespace, rate: Rate, value: str) -> ExternalRate:
    """redis-benchmark SETs on keys under ``ns``, with ``rate``'s count, connections and pipeline."""
    requests = external_requests(rate)
    per_second, p50 = run(url, ns, requests, rate.connections, rate.pipeline, value)
    return ExternalRate(
        label=f"redis-benchmark -c {rate.connections} -P {rate.pipeline}",
        per_second=per_second,
        p50_ms=p50,
        matches=rate.label,
        requests=requests,
    )


def run(
    url: str, ns: Namespace, requests: int, connections: int, pipeline: int, value: str
) -> tuple[float, float | None]:
    """One redis-benchmark run of ``requests`` SETs under ``ns``: (requests per second, p50 ms).

    Raises:
        BackendUnavailableError: redis-benchmark failed or printed no result.
    """
    parts = urlsplit(url)
    where = (
        ["-s", parts.path]
        if parts.scheme == "unix"
        else ["-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 6379)]
    )
    db = parts.path.lstrip("/") if parts.scheme != "unix" else ""
    argv = [
        "redis-benchmark",
        *where,
        "--dbnum",
        db or "0",
        "-n",
        str(requests),
        "-c",
        str(connections),
        "-P",
        str(pipeline),
        "-r",
        "10000",
        "--csv",
        "SET",
        ns.key("bench", "rb", "__rand_int__"),
        value,
    ]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=600, check=False)
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    if proc.returncode != 0 or not rows:
        detail = (proc.stderr or proc.stdout).strip().splitlines()
        raise BackendUnavailableError(
            f"redis-benchmark failed: {detail[-1] if detail else f'exit {proc.returncode}'}"
        )
    row = rows[-1]
    return float(row["rps"]), float(row["p50_latency_ms"]) if row.get("p50_latency_ms") else None


#: redis-benchmark derives its rate from whole milliseconds, so a run must last long enough.
MIN_EXTERNAL_S = 0.5
#: A generous guess at what a local server does deeply pipelined (requests per second).
_PIPELINED_GUESS = 2_000_000


def external_requests(rate: Rate) -> int:
    """How many requests redis-benchmark sends to match ``rate``.

    The same count as ours, except deep pipelines: those finish 100,000 requests in tens of ms,
    where redis-benchmark's millisecond timer rounds the rate to a handful of values, so they get
    enough requests to run for about half a second.
    """
    if rate.pipeline < 10:
        return rate.operations
    return max(rate.operations, int(MIN_EXTERNAL_S * _PIPELINED_GUESS))
