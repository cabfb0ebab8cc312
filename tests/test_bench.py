"""``redisprep bench``: sane figures on both backends, redis-benchmark side by side, nothing left behind."""

from __future__ import annotations

import json
import shutil
from typing import Any

import pytest

from redisprep.backends import Backend, connect
from redisprep.bench.run import BenchOptions, run_bench
from redisprep.bench.scale import sizes_up_to
from redisprep.localserver import LocalServer

SMALL = BenchOptions(
    requests=300,
    depths=(10, 100),
    connections=2,
    latency_samples=300,
    players=2_000,
    queries=50,
    redis_benchmark=False,
)


def test_scale_sizes() -> None:
    assert sizes_up_to(1_000_000) == [1_000, 10_000, 100_000, 1_000_000]
    assert sizes_up_to(2_500) == [1_000, 2_500]
    assert sizes_up_to(500) == [500]


def test_bench_measures_and_cleans_up(backend: Backend) -> None:
    seen: list[str] = []
    report = run_bench(backend, SMALL, lambda label, done, total: seen.append(label))
    assert [r.pipeline for r in report.rates] == [1, 10, 100, 1]
    assert report.rates[-1].connections == 2
    assert all(r.per_second > 0 and r.operations > 0 for r in report.rates)
    latency = report.latencies[0]
    assert latency.count == SMALL.latency_samples
    assert latency.p50_us <= latency.p99_us <= latency.p999_us <= latency.max_us
    assert sum(c for _, c in latency.buckets) == latency.count
    assert [p.members for p in report.scale] == [1_000, 2_000]
    assert all(p.rank.count == SMALL.queries for p in report.scale)
    assert report.embedded == (backend.kind == "embedded")
    assert any(label.startswith("seeding") for label in seen)
    assert report.keys_removed > 0
    assert list(backend.client().scan_iter(match="redisprep:*")) == []
    if backend.kind == "live":  # a bare redis-py client did the same, round for round
        assert [b.label for b in report.bare] == ["1 connection", "2 processes"]
        assert all(
            b.per_second > 0 and b.operations == r.operations
            for b, r in zip(report.bare, (report.rates[0], report.rates[-1]), strict=True)
        )
    else:
        assert report.bare == ()


@pytest.mark.live
def test_redis_benchmark_runs_side_by_side_inside_the_namespace(fresh_server: LocalServer) -> None:
    user = connect(fresh_server.url).client()
    user.set("precious", "data")
    backend = connect(fresh_server.url)
    options = BenchOptions(
        requests=500, depths=(50,), connections=2, latency_samples=100, players=0, redis_benchmark=True
    )
    report = run_bench(backend, options, lambda *_: None)
    if shutil.which("redis-benchmark") is None:
        assert report.external == () and "not installed" in (report.external_note or "")
    else:
        assert report.external_note is None
        assert [e.matches for e in report.external] == [r.label for r in report.rates]
        assert all(e.per_second > 0 for e in report.external)
        assert [report.external[i].requests for i in (0, 2)] == [500, 500]  # its rounds add up to ours
    # SCAN may return a key twice while Redis rehashes the keyspace it just shrank: count with DBSIZE.
    assert set(user.scan_iter()) == {"precious"} and user.dbsize() == 1
    assert user.get("precious") == "data"


@pytest.mark.live
def test_password_never_reaches_redis_benchmark_or_output(invoke: Any) -> None:
    from redisprep.localserver import start_server

    server = start_server(password="pa55word")
    try:
        url = f"redis://:pa55word@127.0.0.1:{server.port}"
        result = invoke(
            "bench",
            "--url",
            url,
            "--requests",
            "200",
            "--players",
            "0",
            "--queries",
            "10",
            "--connections",
            "2",
            "--json",
            catch=False,
        )
    finally:
        server.stop()
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert "pa55word" not in result.stdout + result.stderr
    assert "command line" in data["external_note"]
    assert data["backend"] == f"redis://:***@127.0.0.1:{server.port}"


def test_cli_json_on_the_embedded_backend(invoke: Any) -> None:
    result = invoke(
        "bench", "--requests", "200", "--players", "1000", "--queries", "10", "--json", catch=False
    )
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["embedded"] is True
    assert data["scale"][0]["members"] == 1000


def test_cli_table_says_embedded_numbers_describe_python(invoke: Any) -> None:
    result = invoke("bench", "--requests", "200", "--players", "0", catch=False)
    assert result.exit_code == 0
    assert "describe Python" in result.stdout and "writes (SET;" in result.stdout


def test_deep_pipelines_give_redis_benchmark_enough_requests_to_time() -> None:
    from redisprep.bench.external import external_requests
    from redisprep.bench.model import Rate

    assert external_requests(Rate("1 connection", 20_000, 1.0)) == 20_000
    assert external_requests(Rate("4 processes", 20_000, 1.0, connections=4)) == 20_000
    assert external_requests(Rate("pipeline of 1000", 100_000, 0.7, pipeline=1000)) == 1_000_000
