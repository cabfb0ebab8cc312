"""Every drill runs unchanged on a real Redis Cluster (any node's URL plus --cluster) and leaves no key."""

from __future__ import annotations

from typing import Any

import pytest

from redisprep.backends import Backend
from redisprep.drills import drill_names, load_catalog, run_drill

USE_CASES = [e.name for e in load_catalog() if e.meta.group == "use-case"]


@pytest.mark.cluster
@pytest.mark.parametrize("name", drill_names())
def test_drill_passes_on_a_cluster(name: str, cluster_backend: Backend, cluster: Any) -> None:
    report = run_drill(name, cluster_backend, seed=0)
    assert report.ok, [f"{c.id}: {c.message}" for c in report.checks if not c.as_expected]
    for server in cluster.servers:
        node = cluster_backend.node_client("127.0.0.1", server.port)
        assert list(node.scan_iter(match="redisprep:*")) == []


@pytest.mark.cluster
def test_cli_runs_a_drill_given_any_node_and_the_cluster_flag(invoke: Any, cluster: Any) -> None:
    url = f"redis://127.0.0.1:{cluster.servers[-1].port}"
    result = invoke("drill", USE_CASES[0], "--url", url, "--cluster", "--json")
    assert result.exit_code == 0, result.stderr
    assert '"ok": true' in result.stdout


@pytest.mark.cluster
def test_cli_without_the_cluster_flag_says_what_to_do(invoke: Any, cluster: Any) -> None:
    result = invoke("drill", USE_CASES[0], "--url", f"redis://127.0.0.1:{cluster.servers[0].port}")
    assert result.exit_code == 4
    assert "--cluster" in result.stderr and len(result.stderr.strip().splitlines()) == 1
