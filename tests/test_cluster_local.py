"""`redisprep cluster up | status | down`: a local cluster started, recorded and stopped by PID."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from redisprep.cluster import local, manager, state
from redisprep.cluster.state import ClusterRecord, NodeRecord
from redisprep.errors import BadUsageError
from redisprep.localserver import find_binary, free_port


def _alive(pid: int) -> bool:
    """Running (an exited process waiting for init to reap it does not count)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().rpartition(")")[2].split()[0] == "Z")


@pytest.mark.cluster
def test_up_status_down(invoke: Any, tmp_path: Path) -> None:
    find_binary("redis-server"), find_binary("redis-cli")  # neither: skipped (conftest)
    env = {"REDISPREP_HOME": str(tmp_path / "redisprep")}
    started = invoke("cluster", "up", env=env)
    try:
        assert started.exit_code == 0, started.stderr
        path = tmp_path / "redisprep" / "cluster.json"
        record = json.loads(path.read_text())
        pids = [n["pid"] for n in record["nodes"]]
        assert len(pids) == 3 and all(_alive(p) for p in pids)
        url = f"redis+cluster://127.0.0.1:{record['nodes'][0]['port']}"
        assert f"address: {url}" in started.stdout
        assert "cluster up in" in started.stdout

        status = invoke("cluster", "status", env=env)
        assert status.exit_code == 0 and f"healthy: {url}" in status.stdout

        again = invoke("cluster", "up", env=env)
        assert again.exit_code == 1
        assert again.stderr.startswith("error: a local cluster is already up")

        slot = invoke("cluster", "slot", "foo", "--json", env=env)  # no --url: uses the running cluster
        assert json.loads(slot.stdout)["simulated"] is False
    finally:
        stopped = invoke("cluster", "down", env=env)
    assert stopped.exit_code == 0 and "stopped 3 of 3 nodes" in stopped.stdout
    assert not any(_alive(p) for p in pids)
    assert not path.exists()
    assert list((tmp_path / "redisprep" / "cluster-nodes").iterdir()) == []
    after = invoke("cluster", "status", env=env)
    assert after.exit_code == 0 and "no local cluster is running" in after.stdout


def test_down_spares_a_pid_that_is_no_longer_ours(tmp_path: Path) -> None:
    home = tmp_path / "redisprep"
    outside = tmp_path / "not-ours"
    outside.mkdir()
    node = NodeRecord(free_port(), os.getpid(), "run", "id", "master", str(outside))
    state.save(ClusterRecord(3, 0, 0.0, (node,)), state.state_file(home))
    result = manager.down(home)
    assert result is not None
    _record, spared = result
    assert spared == [node]  # this test's own PID: nothing answers on the port as the recorded node
    assert _alive(os.getpid()) and outside.is_dir()  # and a folder outside cluster-nodes/ stays
    assert not state.state_file(home).exists()


def test_up_needs_three_masters() -> None:
    with pytest.raises(BadUsageError):
        local.start_cluster(2)
    # What the user sees from the real entry point: one error line naming the option, exit 2.
    done = subprocess.run(
        [sys.executable, "-m", "redisprep", "cluster", "up", "--masters", "2"], capture_output=True, text=True
    )
    assert done.returncode == 2 and done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "--masters" in lines[0], done.stderr
    assert "greater than or equal to 3" in lines[0]


def test_up_without_redis_server_says_so(invoke: Any, tmp_path: Path) -> None:
    env = {"PATH": str(tmp_path), "REDISPREP_SERVER": "", "REDISPREP_HOME": str(tmp_path / "redisprep")}
    result = invoke("cluster", "up", env=env)
    assert result.exit_code == 4
    assert result.stderr.startswith("error: redis-server is not installed")
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_broken_state_file_is_reported_with_its_path(invoke: Any, tmp_path: Path) -> None:
    path = tmp_path / "redisprep" / "cluster.json"
    path.parent.mkdir()
    path.write_text("{not json")
    result = invoke("cluster", "status", env={"REDISPREP_HOME": str(tmp_path / "redisprep")})
    assert result.exit_code == 3
    assert result.stderr.startswith(f"error: {path}: not a cluster state file")


@pytest.mark.parametrize(
    "args", [("cluster", "--help"), ("cluster", "slot", "--help"), ("cluster", "up", "--help")]
)
def test_cluster_help_imports_nothing_heavy(args: tuple[str, ...]) -> None:
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "redisprep", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr[-500:]
    imported = {line.rsplit("|", 1)[1].strip() for line in proc.stderr.splitlines() if "|" in line}
    assert "typer" in imported
    assert not {m for m in imported if m.split(".")[0] in ("redis", "fakeredis", "yaml", "fsrs", "hdrh")}
