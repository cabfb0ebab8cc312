"""The persistence drill tells the truth about kill -9 on every server, and leaves no server behind.

On a real redis-server (and each server of the matrix) its checks hold: no persistence loses every
acknowledged write, RDB exactly the writes the server counted since its last snapshot, each AOF
fsync policy none. The embedded backend says in one line why it cannot show this; a missing
redis-server binary skips the kills and restarts, saying why; Ctrl-C mid-kill stops every private server the
drill started and removes its folder. The user's server never sees CONFIG SET or a kill
(tests/test_data_safety.py runs every drill, this one included, against a server full of data).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from redisprep.backends import connect
from redisprep.drills import run_drill
from redisprep.drills.persistence import owned, restart
from redisprep.drills.persistence.crash import BY_NAME, KillTrial
from redisprep.errors import ExitCode
from redisprep.localserver import LocalServer

AOF_CHECKS = ("aof_always_keeps_all", "aof_no_keeps_all")


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[LocalServer]:
    """Every private server the drill starts during the test."""
    servers: list[LocalServer] = []
    original = owned.start_server

    def recording(*args: Any, **kwargs: Any) -> LocalServer:
        server = original(*args, **kwargs)
        servers.append(server)
        return server

    monkeypatch.setattr(owned, "start_server", recording)
    return servers


def test_embedded_backend_says_in_one_line_what_to_run_instead(invoke: Any) -> None:
    env = {"REDISPREP_URL": "", "REDIS_URL": ""}
    result = invoke("drill", "persistence", env=env)
    assert result.exit_code == 0, result.stdout + result.stderr
    report = run_drill("persistence", connect(None))
    first, *rest = report.steps
    assert first.outcome.skipped is not None
    assert "has no persistence" in first.outcome.skipped
    assert "'redisprep drill persistence --url redis://" in first.outcome.skipped
    assert all(s.outcome.skipped and "see step 1" in s.outcome.skipped for s in rest)
    assert report.checks == []


@pytest.mark.live
def test_each_policy_loses_what_the_server_said_it_would(
    fresh_server: LocalServer, started: list[LocalServer]
) -> None:
    report = run_drill("persistence", connect(fresh_server.url), seed=7)
    by = {c.id.removeprefix("persistence."): c for c in report.checks}
    assert report.ok, [(c.id, c.message) for c in report.checks if not c.passed]
    none, rdb = by["none_loses_all"].measured, by["rdb_loses_since_snapshot"].measured
    assert (
        int(none["acknowledged"] or 0) > 0 and none["lost"] == none["acknowledged"] and none["restored"] == 0
    )
    assert rdb["lost"] == rdb["rdb_changes_since_last_save"]
    for name in AOF_CHECKS:
        m = by[name].measured
        assert int(m["acknowledged"] or 0) > 0 and m["lost"] == 0 and m["restored"] == m["acknowledged"]
    everysec = by["aof_everysec_loses_only_buffered"].measured
    assert int(everysec["acknowledged"] or 0) > 0 and int(everysec["lost"] or 0) <= int(
        everysec["buffered"] or 0
    )
    # every private server (two per policy and per restart timing) is gone, and its folder too
    assert len(started) == 2 * (5 + 4)
    assert not [s for s in started if s.alive() or s.workdir.exists()]
    assert fresh_server.alive()


@pytest.mark.parametrize(
    ("acknowledged", "info", "held"),
    [
        # Redis 7.0 logs each INCR as INCRBY key 1 (45 bytes), after a SELECT (23 bytes)
        (1000, {"aof_current_size": 23 + 990 * 45, "aof_base_size": 0, "aof_buffer_length": 450}, 10),
        # Redis 6.2 logs it as it came (36 bytes); everything written, nothing held
        (1000, {"aof_current_size": 23 + 1000 * 36, "aof_base_size": 0, "aof_buffer_length": 0}, 0),
        # a base file (after a rewrite) is not part of this run's writes
        (10, {"aof_current_size": 88 + 23 + 4 * 36, "aof_base_size": 88, "aof_buffer_length": 216}, 6),
        # no AOF at all
        (10, {"aof_buffer_length": "-"}, 0),
    ],
)
def test_writes_held_in_the_aof_buffer_are_counted_from_its_bytes(
    acknowledged: int, info: dict[str, Any], held: int
) -> None:
    trial = KillTrial(BY_NAME["aof-everysec"], acknowledged, acknowledged - held, 1.0, info)
    assert trial.buffered == held


@pytest.mark.live
@pytest.mark.parametrize("fmt", sorted(restart.FORMATS))
def test_a_restart_loads_every_key_and_logs_its_load_time(fmt: str) -> None:
    timed = restart.restart_time(fmt, 5_000)
    assert timed.keys_after == 5_000
    assert timed.file_bytes > 0
    assert timed.load_s is not None and timed.load_s <= timed.wall_s


@pytest.mark.live
def test_no_redis_server_binary_skips_the_kills_saying_why_and_drill_all_goes_on(
    fresh_server: LocalServer, invoke: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no redis-server anywhere on it
    monkeypatch.delenv("REDISPREP_SERVER", raising=False)
    result = invoke("drill", "persistence", "--url", fresh_server.url, "--json")
    assert result.exit_code == 0, result.stderr
    steps = json.loads(result.stdout)["steps"]
    skipped = [s["skipped"] for s in steps[1:]]
    assert all(
        s and s.startswith("the persistence drill starts its own redis-server on this machine")
        for s in skipped
    )
    assert all("not installed" in s for s in skipped) and "Traceback" not in result.stdout + result.stderr


def _children(pid: int) -> dict[int, str]:
    """The server processes ``pid`` started: {pid: working folder} (redis-server works in ``--dir``)."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
            if int(fields[1]) == pid and b"-server" in (stat.parent / "cmdline").read_bytes():
                cwd = os.readlink(stat.parent / "cwd")  # the parent's until the server has started
                if "/redisprep-" in cwd:
                    found[int(stat.parent.name)] = cwd
        except OSError:
            continue
    return found


def _running_in(workdir: str) -> list[int]:
    """Processes working in ``workdir`` (a zombie has no working folder: it runs nothing)."""
    pids = []
    for cwd in Path("/proc").glob("[0-9]*/cwd"):
        try:
            if os.readlink(cwd) == workdir:
                pids.append(int(cwd.parent.name))
        except OSError:
            continue
    return pids


@pytest.mark.live
def test_ctrl_c_mid_kill_stops_every_private_server_and_removes_its_folder(fresh_server: LocalServer) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "redisprep", "drill", "persistence", "--url", fresh_server.url],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,
    )
    seen: dict[int, str] = {}
    deadline = time.monotonic() + 60
    while len(set(seen.values())) < 2:  # the second policy's server: its stream of writes
        assert proc.poll() is None, (proc.returncode, proc.communicate()[1], seen)
        assert time.monotonic() < deadline, seen
        seen.update(_children(proc.pid))
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C at a terminal: the whole process group
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == ExitCode.INTERRUPTED, err
    lines = err.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: interrupted"), lines
    workdirs = set(seen.values())
    assert [w for w in workdirs if Path(w).exists() or _running_in(w)] == []
    assert fresh_server.alive()
