"""A throw-away server whose redisprep was killed leaves its folder; the next start removes it, and
nothing else (not the folder of a server killed on purpose by a redisprep that still runs).

The folders here are made in a test's own temporary directory (``tempfile.tempdir``), so the sweep
sees only them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from redisprep.leftovers import OWNER, sweep
from redisprep.localserver import start_server


@pytest.fixture(name="tmp")
def own_tempdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _folder(where: Path, name: str, files: dict[str, str]) -> Path:
    folder = where / name
    folder.mkdir()
    for file, text in files.items():
        (folder / file).write_text(text)
    return folder


def test_a_server_killed_with_its_redisprep_leaves_a_folder_the_next_start_removes(tmp: Path) -> None:
    """The real case: redisprep SIGKILLed while its server runs (the kernel stops the server)."""
    script = (
        "import os, sys, tempfile, time\n"
        f"tempfile.tempdir = {str(tmp)!r}\n"
        "from redisprep.localserver import start_server\n"
        "server = start_server(die_with_parent=True)\n"
        "print(server.workdir, server.pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    workdir, pid = proc.stdout.readline().split()
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    for _ in range(500):  # the kernel's parent-death signal reaches the server
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            break
        time.sleep(0.01)
    assert Path(workdir).is_dir(), "premise: a killed redisprep leaves its server's folder"
    server = start_server()
    try:
        assert not Path(workdir).exists()
        assert server.workdir.is_dir()  # the new server's own folder is not taken for a dead one
    finally:
        server.stop()
    assert list(tmp.iterdir()) == []


def test_only_folders_certainly_abandoned_are_removed(tmp: Path) -> None:
    dead, live = str(_dead_pid()), str(os.getpid())
    gone = [
        _folder(tmp, "redisprep-6379-abcd_123", {OWNER: dead, "redis.pid": dead, "redis.log": "x"}),
        _folder(
            tmp, "redisprep-7000-zz99zz99", {OWNER: dead, "redis.pid": dead, "nodes.conf": "", "dump.rdb": ""}
        ),
        _folder(tmp, "redisprep-7001-nopid123", {OWNER: dead, "redis.log": "x"}),  # killed before its pidfile
    ]
    kept = [
        # A drill that killed its server on purpose and is about to restart it on the same folder:
        _folder(tmp, "redisprep-6378-restart1", {OWNER: live, "redis.pid": dead, "appendonly.aof": ""}),
        _folder(
            tmp, "redisprep-6380-alive123", {OWNER: dead, "redis.pid": live, "redis.log": "x"}
        ),  # detached
        _folder(tmp, "redisprep-6381-olderone", {"redis.pid": dead, "redis.log": "x"}),  # nobody claimed it
        _folder(tmp, "redisprep-6382-notes123", {OWNER: dead, "redis.pid": dead, "notes.txt": "mine"}),
        _folder(tmp, "redisprep-6383-badpid12", {OWNER: "pid", "redis.pid": dead}),
        _folder(tmp, "redisprep-grade-abcdefgh", {OWNER: dead}),  # another kind of folder
        _folder(tmp, "my-redisprep-6384-abcdefgh", {OWNER: dead}),
        _folder(tmp, "redisprep-6385-abcdefghi", {OWNER: dead}),  # not mkdtemp's 8 characters
    ]
    outside = _folder(tmp, "elsewhere", {OWNER: dead})
    link = tmp / "redisprep-6386-linked12"
    link.symlink_to(outside)
    kept.append(link)
    assert sorted(sweep()) == sorted(gone)
    assert all(not f.exists() for f in gone)
    assert all(f.exists() for f in kept) and (outside / OWNER).exists()


def test_a_drill_restarting_its_killed_server_keeps_its_folder_while_others_start_servers(tmp: Path) -> None:
    """The persistence drill's kill -9 and restart on one folder, with other servers starting meanwhile
    (drill all's workers, other test processes): the folder and its files survive the sweep."""
    first = start_server()
    (first.workdir / "appendonly.aof").write_text("kept data")
    first.kill()  # and reaped: its PID is gone
    other = start_server()  # sweeps: the killed server's owner (this process) is alive
    try:
        assert (first.workdir / "appendonly.aof").read_text() == "kept data"
        again = start_server(workdir=first.workdir)
        again.stop()
    finally:
        other.stop()
    assert list(tmp.iterdir()) == []


def test_another_users_folder_is_left_alone(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _folder(tmp, "redisprep-6390-others12", {OWNER: str(_dead_pid()), "redis.pid": str(_dead_pid())})
    monkeypatch.setattr(os, "getuid", lambda: folder.stat().st_uid + 1)  # as seen by another user
    assert sweep() == [] and folder.exists()


@pytest.mark.parametrize("where", ["claim", "Popen"])
def test_a_start_that_fails_before_its_server_runs_leaves_no_folder(
    tmp: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """An interrupt while the folder is claimed, or a server that cannot be started at all."""
    import redisprep.localserver as localserver

    def fail(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt if where == "claim" else OSError("exec failed")

    if where == "claim":
        monkeypatch.setattr(localserver, "claim", fail)
    else:
        monkeypatch.setattr(localserver.subprocess, "Popen", fail)
    with pytest.raises(KeyboardInterrupt if where == "claim" else OSError):
        start_server()
    assert list(tmp.iterdir()) == []
