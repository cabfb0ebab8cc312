"""``drill all`` runs drills side by side in worker processes and prints exactly what one at a time would.

What a user would check: the same output in the same order as a sequential run (only measured
times differ), the exit code, one error line for a failure, and after Ctrl-C no key of any run left
on their server and no process left behind.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from redisprep.cli._drill_all import jobs_for
from redisprep.drills import drill_names
from redisprep.localserver import LocalServer


def _drill_all(jobs: int, *more: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "REDISPREP_JOBS": str(jobs), "COLUMNS": "100"}
    argv = [sys.executable, "-m", "redisprep", "drill", "all", *more]
    return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=600)


def _outline(text: str) -> list[str]:
    """Each drill's title, its steps' titles and every check's mark and name, in order.

    The rest varies from run to run even one at a time: times, run ids, and what a real server
    samples at random (the eviction demo).
    """
    kept = []
    for line in text.splitlines():
        line = line.strip("│ ")
        if line.startswith(("─ ", "╭─")) or line[:2] in ("✔ ", "✘ "):
            kept.append(re.sub(r"\d+(\.\d+)?", "N", line.split(":")[0]).strip("─ "))
    return kept


def test_side_by_side_prints_what_one_at_a_time_prints() -> None:
    sequential = _drill_all(1)
    parallel = _drill_all(2)
    assert sequential.returncode == parallel.returncode == 0, parallel.stderr
    assert parallel.stderr == ""
    titles = [line for line in parallel.stdout.splitlines() if "(embedded fakeredis" in line]
    assert len(titles) == len(drill_names())
    assert _outline(parallel.stdout) == _outline(sequential.stdout)
    assert len(_outline(parallel.stdout)) > 150
    assert abs(len(parallel.stdout) - len(sequential.stdout)) < len(sequential.stdout) / 100


def test_json_documents_come_in_catalog_order() -> None:
    import json

    result = _drill_all(3, "--json")
    assert result.returncode == 0, result.stderr
    decoder, text, names = json.JSONDecoder(), result.stdout.strip(), []
    while text:
        doc, end = decoder.raw_decode(text)
        names.append(doc["drill"])
        assert doc["ok"] is True
        text = text[end:].strip()
    assert names == drill_names()


def test_how_many_run_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    assert jobs_for(1, debug=False, environ={}) == 1
    assert jobs_for(18, debug=True, environ={}) == 1  # tracebacks from where they happen
    assert jobs_for(18, debug=False, environ={"REDISPREP_JOBS": "1"}) == 1
    # Earlier tests in this worker may have left threads (a process with threads is never forked):
    monkeypatch.setattr(threading, "active_count", lambda: 2)
    assert jobs_for(2, debug=False, environ={"REDISPREP_JOBS": "8"}) == 1
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    if sys.platform.startswith("linux"):
        assert jobs_for(2, debug=False, environ={"REDISPREP_JOBS": "8"}) == 2
        assert 1 <= jobs_for(18, debug=False, environ={}) <= 4


_FAKE_RUN = textwrap.dedent(
    """
    import sys, time
    from rich.console import Console
    from redisprep.backends import connect
    from redisprep.cli._drill_all import run_all
    from redisprep.errors import BackendUnavailableError

    console = Console(width=60, color_system=None)
    def run_one(name):
        time.sleep({{"a": 0.3, "b": 0.1}}.get(name, 0.0))  # finish out of order
        console.print(f"drill {{name}}")
        if name == "{fail}":
            raise BackendUnavailableError(f"cannot reach the server in {{name}}")
        return name != "c"
    try:
        print(run_all(console, connect(None), list("abcde"), run_one, debug=False))
    except BackendUnavailableError as exc:
        print(f"error: {{exc}} ({{exc.exit_code}})")
    """
)


@pytest.mark.parametrize(("fail", "expected"), [("", "abcde"), ("c", "abc"), ("a", "a")])
def test_output_order_and_the_first_failure_in_catalog_order(fail: str, expected: str) -> None:
    code = _FAKE_RUN.format(fail=fail)
    env = {**os.environ, "REDISPREP_JOBS": "3"}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[:-1] == [f"drill {n}" for n in expected]  # nothing after the failing drill
    if fail:
        assert lines[-1] == f"error: cannot reach the server in {fail} (4)"
    else:
        assert lines[-1] == "[True, True, False, True, True]"


@pytest.mark.live
@pytest.mark.parametrize("to_group", [False, True], ids=["kill -INT parent", "Ctrl-C at a terminal"])
def test_ctrl_c_removes_every_runs_keys_and_leaves_no_worker(
    fresh_server: LocalServer, to_group: bool
) -> None:
    import redis

    user = redis.Redis.from_url(fresh_server.url)
    user.set("precious", "data")
    env = {**os.environ, "REDISPREP_JOBS": "2", "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "redisprep", "drill", "all", "--url", fresh_server.url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while not any(k.startswith(b"redisprep:") for k in user.scan_iter(count=1000)):  # running, with keys
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.01)
    if to_group:
        os.killpg(proc.pid, signal.SIGINT)
    else:
        proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    lines = err.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: interrupted"), lines
    assert [k for k in user.scan_iter(count=1000) if k.startswith(b"redisprep:")] == []
    assert user.get("precious") == b"data"
    with pytest.raises(ProcessLookupError):  # the whole group is gone: no worker left running
        os.killpg(proc.pid, 0)
