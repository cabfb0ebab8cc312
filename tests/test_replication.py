"""The replication drill fails over only servers it starts, passes its checks, and leaves nothing running.

With ``--url`` it says in one line that it uses private servers (and the user's server is untouched);
on the embedded default it says in one line that it does not run there and starts nothing (``drill
all`` stays quick); without a server binary every step is skipped, saying why; a
Ctrl-C while the replica is paused (SIGSTOP), while sentinels run or once the cluster formed stops
every process it started and removes their folders. The drill's numbers (failover time, latency)
are never bounded here: ``scripts/bench_replication.py`` measures them.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from redisprep.localserver import LocalServer


def processes_in(root: Path) -> list[tuple[int, str]]:
    """(PID, state letter) of every process whose working folder is under ``root``.

    redis-server and Sentinel change to their ``dir`` at start and rename their process title, so
    the working folder is what ties a process to the run that started it.
    """
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cwd = os.readlink(entry / "cwd")
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        state = stat.rpartition(")")[2].split()[0]
        if cwd.startswith(str(root)) and state != "Z":
            found.append((int(entry.name), state))
    return found


def _doc(stdout: str) -> dict[str, Any]:
    return dict(json.loads(stdout))


@pytest.mark.live
def test_runs_on_private_servers_says_so_and_passes_its_checks(
    invoke: Any, fresh_server: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import redis

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # every private server's folder lands here
    user = redis.Redis.from_url(fresh_server.url, decode_responses=True)
    user.set("precious", "data")
    result = invoke("drill", "replication", "--json", "--url", fresh_server.url)
    assert result.exit_code == 0, result.stderr
    doc = _doc(result.stdout)
    first = doc["steps"][0]["narration"][0]
    assert "never touches" in first and "private servers" in first
    checks = [c for s in doc["steps"] for c in s["checks"]]
    assert [c["id"] for c in checks] == [
        "replication.held_back_loses_exactly",
        "replication.acked_survive_failover",
        "replication.acked_survive_failover",
        "replication.wait_confirms_replicated",
        "replication.sentinel_promotes",
        "replication.cluster_promotes",
    ]
    assert all(c["passed"] == c["expected"] for c in checks), checks
    naive = checks[1]["measured"]
    assert naive["acknowledged"] == naive["lost_acknowledged"] == naive["writes"]  # all OKs, all lost
    assert checks[2]["measured"]["on_primary"] == checks[2]["measured"]["writes"]  # WAIT 0: not rolled back
    # The user's server is as it was: one key, still a primary with no replica.
    assert user.dbsize() == 1 and user.get("precious") == "data"
    assert user.info("replication")["connected_slaves"] == 0
    assert processes_in(tmp_path) == [] and list(tmp_path.iterdir()) == []


def test_on_the_embedded_default_it_says_so_in_one_line_and_starts_nothing(
    invoke: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # a private server's folder would land here
    for name in ("REDISPREP_URL", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    result = invoke("drill", "replication", "--json")
    assert result.exit_code == 0, result.stderr
    steps = _doc(result.stdout)["steps"]
    skipped = [step["skipped"] for step in steps]
    assert "cannot replicate or fail over" in skipped[0] and "--url" in skipped[0]
    assert all(s and "step 1" in s for s in skipped[1:]), skipped
    assert [c for s in steps for c in s["checks"]] == []
    assert processes_in(tmp_path) == [] and list(tmp_path.iterdir()) == []


@pytest.mark.live
def test_without_a_server_binary_every_step_is_skipped_saying_what_to_install(
    invoke: Any, fresh_server: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REDISPREP_SERVER", str(tmp_path / "no-such-server"))
    result = invoke("drill", "replication", "--json", "--url", fresh_server.url)
    assert result.exit_code == 0, result.stderr
    skipped = [step["skipped"] for step in json.loads(result.stdout)["steps"]]
    assert len(skipped) == 4 and all(skipped), skipped
    assert all("redisprep drill replication" in s and "$REDISPREP_SERVER" in s for s in skipped)
    assert "Traceback" not in result.stderr + result.stdout


def _paused(root: Path) -> bool:
    return any(state == "T" for _, state in processes_in(root))


def _sentinels(root: Path) -> bool:
    return (
        any(p.name.startswith("redisprep-sentinel-") for p in root.iterdir()) and len(processes_in(root)) >= 5
    )


def _cluster(root: Path) -> bool:
    return sum((p / "nodes.conf").exists() for p in root.iterdir()) >= 6


@pytest.mark.live
@pytest.mark.parametrize(
    ("moment", "reached"),
    [("replica paused", _paused), ("sentinels running", _sentinels), ("cluster formed", _cluster)],
)
def test_ctrl_c_stops_every_server_and_sentinel_and_removes_their_folders(
    moment: str, reached: Callable[[Path], bool], fresh_server: LocalServer, tmp_path: Path
) -> None:
    root = tmp_path / "tmp"
    root.mkdir()
    env = {**os.environ, "TMPDIR": str(root), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "redisprep", "drill", "replication", "--url", fresh_server.url],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        deadline = time.monotonic() + 120
        while not reached(root):
            assert proc.poll() is None, f"the drill ended before {moment}"
            assert time.monotonic() < deadline, f"never saw {moment}"
            time.sleep(0.002)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, err
    lines = err.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: interrupted"), lines
    assert processes_in(root) == []
    assert list(root.iterdir()) == []


@pytest.mark.live
def test_a_held_back_replica_continued_from_outside_voids_the_trial(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Job control (Ctrl-Z then fg) continues the whole process group: never a wrong count, an error."""
    from redisprep.drills.replication import reference, trials
    from redisprep.errors import BackendUnavailableError

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    def write_after_fg(r: Any, key: str, value: str) -> bool:
        for pid, state in processes_in(tmp_path):
            if state == "T":
                os.kill(pid, signal.SIGCONT)  # what `fg` does to every process of the group
        return reference.write(r, key, value)

    impl = type("Impl", (), {"write": staticmethod(write_after_fg)})
    with pytest.raises(BackendUnavailableError, match="continued by a signal from outside"):
        trials.failover(impl, 3, hold_back=True)
    assert processes_in(tmp_path) == [] and list(tmp_path.iterdir()) == []


@pytest.mark.live
def test_a_ctrl_c_while_a_trial_cleans_up_is_raised_once_its_servers_are_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Ctrl-C that lands while a trial that ended normally stops its servers stops the drill."""
    from redisprep.drills.replication import fleet

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    close = fleet.Fleet.close

    def interrupted_close(self: fleet.Fleet) -> None:
        signal.raise_signal(signal.SIGINT)  # the user's Ctrl-C, just as the cleanup starts
        close(self)

    monkeypatch.setattr(fleet.Fleet, "close", interrupted_close)
    with pytest.raises(KeyboardInterrupt), fleet.Fleet() as servers:
        servers.server()
    assert processes_in(tmp_path) == [] and list(tmp_path.iterdir()) == []
