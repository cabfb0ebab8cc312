"""Faults a hostile user (or bad luck) can cause: signals at random moments, a server dying while
grading, a deck that never answers, passwords in every URL form, servers that are not what they
seem. Each ends in one line, the documented exit code, the right party blamed, nothing left behind.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import redis
from harness import HANG_S, PASSWORD, Foreign, secret_forms

from redisprep.errors import ExitCode
from redisprep.localserver import find_binary, start_server

pytestmark = pytest.mark.live

REFERENCE = str(Path(__file__).resolve().parents[2] / "redisprep" / "drills" / "leaderboard" / "reference.py")
INJECT = str(Path(__file__).resolve().parents[1] / "fault_inject.py")
SEED = 20261204


def _one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr[-3000:]
    assert "Traceback" not in stderr
    return lines[0]


def _spawn(foreign: Foreign, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "REDIS_URL": foreign.url, "PYTHONUNBUFFERED": "1", "COLUMNS": "120"}
    return subprocess.Popen(
        [sys.executable, "-m", "redisprep", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )


def _descendants(pid: int) -> list[int]:
    from redisprep.practice.proctree import snapshot

    table = snapshot()
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        for proc in table.values():
            if proc.ppid == parent:
                found.append(proc.pid)
                todo.append(proc.pid)
    return found


@pytest.mark.parametrize(
    ("sig", "code", "said"),
    [
        (signal.SIGTERM, ExitCode.TERMINATED, "terminated (SIGTERM)"),
        (signal.SIGHUP, ExitCode.HANGUP, "hung up (SIGHUP)"),
        (signal.SIGINT, ExitCode.INTERRUPTED, "interrupted"),
    ],
)
def test_a_signal_at_a_random_moment_of_grading_cleans_up_and_says_so(
    foreign: Foreign, sig: signal.Signals, code: int, said: str
) -> None:
    rng = random.Random(f"{SEED}:{sig}")
    for _ in range(3):
        proc = _spawn(foreign, "practice", "check", "leaderboard", "--impl", REFERENCE, "--url", foreign.url)
        time.sleep(rng.uniform(0.3, 2.5))  # start-up, ACL user, private child, inside the checks
        children = _descendants(proc.pid)
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=HANG_S)
        foreign.written += [("signal stdout", out), ("signal stderr", err)]
        if proc.returncode in (0, 1, -sig):  # finished first, or killed while Python was starting
            continue  # (before redisprep installs its handlers it has connected to nothing)
        assert proc.returncode == code, err.decode()
        line = _one_line(err.decode())
        assert line.startswith(f"error: {said}"), line
        _gone(children)
    foreign.assert_untouched()
    assert foreign.leaks() == []


def _gone(pids: list[int]) -> None:
    """Every process in ``pids`` ends within a few seconds (zombies count as ended)."""
    deadline = time.monotonic() + 5
    while [p for p in pids if _state(p) != b"Z"] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [p for p in pids if _state(p) != b"Z"] == []


def test_ctrl_c_in_the_cache_stampede_never_hangs(foreign: Foreign) -> None:
    """50 readers wait on a barrier and on the slow database; Ctrl-C once hung 2 runs in 15."""
    rng = random.Random(SEED)
    for _ in range(6):
        proc = _spawn(foreign, "drill", "cache", "--url", foreign.url)
        assert proc.stdout is not None
        for line in proc.stdout:
            if b"stampede" in line.lower():
                break
        time.sleep(rng.uniform(0.0, 0.3))
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=HANG_S)  # a hang fails here
        if proc.returncode in (0, 1):
            continue
        assert proc.returncode == ExitCode.INTERRUPTED, err.decode()
        line = _one_line(err.decode())  # bare when the run had ended (its keys removed) first
        assert line == "error: interrupted" or line.startswith("error: interrupted; removed "), line
    foreign.assert_untouched()


def test_a_kill_during_the_eviction_demo_leaves_no_server(foreign: Foreign) -> None:
    server_name = Path(find_binary()).name.encode()  # redis-server, or $REDISPREP_SERVER's
    proc = subprocess.Popen(
        [sys.executable, "-m", "redisprep", "drill", "cache"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + HANG_S
    servers: list[int] = []
    while not servers and time.monotonic() < deadline and proc.poll() is None:
        servers = [
            p for p in _descendants(proc.pid) if server_name in Path(f"/proc/{p}/cmdline").read_bytes()
        ]
        time.sleep(0.01)
    assert servers, "the eviction demo did not start its server"
    proc.kill()
    proc.wait()
    _gone(servers)


def _state(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/stat").read_bytes().rpartition(b")")[2].split()[0]
    except OSError:
        return b"Z"


@pytest.mark.parametrize(("sig", "at"), [("KILL", 40), ("KILL", 400), ("STOP", 150)])
def test_a_server_dying_while_grading_is_the_graders_failure(tmp_path: Path, sig: str, at: int) -> None:
    """Exit 5, one line, no grade recorded and no report: never a failed check (it was 7 of 7 times)."""
    server = start_server(password=PASSWORD)
    url = f"redis://:{quote(PASSWORD, safe='')}@127.0.0.1:{server.port}"
    home = tmp_path / "home"
    try:
        proc = subprocess.run(
            [sys.executable, INJECT, str(server.pid), sig, str(at), str(tmp_path / "fired"), "--",
             "practice", "check", "leaderboard", "--impl", REFERENCE, "--url", url,
             "--junit", str(tmp_path / "j.xml"), "--json", str(tmp_path / "r.json")],
            capture_output=True, text=True, timeout=HANG_S, env={**os.environ, "REDISPREP_HOME": str(home)},
        )  # fmt: skip
    finally:
        os.kill(server.pid, signal.SIGCONT)
        server.stop()
    assert (tmp_path / "fired").exists()
    assert proc.returncode == ExitCode.INFRASTRUCTURE, proc.stderr
    line = _one_line(proc.stderr)
    assert "the server went away while grading" in line and "no grade was recorded" in line
    assert not (tmp_path / "j.xml").exists() and not (tmp_path / "r.json").exists()
    assert not (home / "practice.json").exists()
    assert not any(form in (proc.stdout + proc.stderr).encode() for form in secret_forms())


_DECK = """format_version: 1
deck: hostile
title: Cards that never answer
cards:
  - id: hostile-endless-script
    kind: command
    tags: [hostile]
    front: Anything.
    setup:
      - EVAL "while true do end" 0
    answer: GET k
    expect:
      reply: null
    explanation: A setup that never ends.
  - id: hostile-blocking-setup
    kind: command
    tags: [hostile]
    front: Anything.
    setup:
      - BLPOP k 0
    answer: GET k
    expect:
      reply: null
    explanation: A setup that blocks forever.
  - id: hostile-blocking-answer
    kind: command
    tags: [hostile]
    front: Anything.
    setup: []
    answer: BLPOP k 0
    expect:
      reply: null
    explanation: A model answer that blocks forever.
  - id: hostile-endless-state
    kind: command
    tags: [hostile]
    front: Anything.
    setup: []
    answer: SET k v
    expect:
      state:
        - [EVAL "while true do end" 0, null]
    explanation: A state check that never ends.
"""


def test_a_deck_whose_commands_never_answer_cannot_hang_lint_or_the_quiz(
    foreign: Foreign, tmp_path: Path
) -> None:
    decks = tmp_path / "decks"
    decks.mkdir()
    (decks / "hostile.yaml").write_text(_DECK)
    lint = foreign.run("quiz", "lint", str(decks), name="deck-lint")
    assert lint.code == ExitCode.DATA, lint.stdout + lint.stderr
    assert lint.stdout.count("hostile.yaml:") >= 4 and "Traceback" not in lint.stdout + lint.stderr
    session = foreign.run(
        "quiz", "--deck-dir", str(decks), "--deck", "hostile", "--cram", name="deck-quiz",
        stdin="BLPOP k 0\nEVAL \"while true do end\" 0\nGET k\nGET k\n",
    )  # fmt: skip
    assert session.code in (0, 1, ExitCode.DATA), session.stderr
    assert "Traceback" not in session.stdout + session.stderr


def test_grading_with_url_to_a_server_without_a_password_is_refused(tmp_path: Path, invoke: Any) -> None:
    server = start_server()
    try:
        r = redis.Redis(port=server.port)
        r.set("theirs", "precious")
        result = invoke("practice", "check", "leaderboard", "--impl", REFERENCE, "--url", server.url)
        assert result.exit_code == ExitCode.BACKEND
        line = _one_line(result.stderr)
        assert "without a password" in line and "drop --url to grade on a private server" in line
        assert (
            r.get("theirs") == b"precious"
            and r.dbsize() == 1
            and list(r.acl_users()) in (["default"], [b"default"])
        )
    finally:
        server.stop()


def test_clean_removes_nothing_that_only_looks_like_a_run(foreign: Foreign) -> None:
    outcome = foreign.run("clean", "--url", foreign.url, "--older-than", "0", name="clean")
    assert outcome.code == 0, outcome.stderr
    assert "removed 0 keys of 0 interrupted runs" in outcome.stdout
    foreign.assert_untouched()


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda port: f"redis://127.0.0.1:{port}", "does not answer like a Redis server"),
    ],
)
def test_a_port_that_is_not_redis_is_one_line(make: Any, words: str, invoke: Any) -> None:
    import socket
    import threading

    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def http() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            conn.recv(1024)
            conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            conn.close()

    threading.Thread(target=http, daemon=True).start()
    try:
        for args in (
            ["drill", "leaderboard"],
            ["explain", "GET x"],
            ["clean"],
            ["practice", "check", "leaderboard", "--impl", REFERENCE],
        ):
            result = invoke(*args, "--url", make(port))
            assert result.exit_code == ExitCode.BACKEND, (args, result.stderr)
            assert words in _one_line(result.stderr)
    finally:
        listener.close()


def test_a_full_server_and_a_renamed_command_are_one_line(invoke: Any) -> None:
    full = start_server("--maxmemory", "1mb", "--maxmemory-policy", "noeviction")
    renamed = start_server("--rename-command", "ZADD", "")
    try:
        filler = redis.Redis(port=full.port)
        pipe = filler.pipeline(transaction=False)
        for i in range(20_000):
            pipe.set(f"fill:{i}", "x" * 40)
        pipe.execute(raise_on_error=False)
        for args in (
            ["drill", "leaderboard"],
            ["bench", "--requests", "200", "--players", "0", "--queries", "10"],
        ):
            result = invoke(*args, "--url", full.url)
            assert result.exit_code == ExitCode.BACKEND, (args, result.stderr)
            assert "it is full (maxmemory, with the noeviction policy)" in _one_line(result.stderr)
        result = invoke("drill", "leaderboard", "--url", renamed.url)
        assert result.exit_code == ExitCode.BACKEND
        assert "does not know ZADD (renamed or disabled" in _one_line(result.stderr)
        assert filler.dbsize() < 20_001 and not list(redis.Redis(port=renamed.port).scan_iter("redisprep:*"))
    finally:
        full.stop()
        renamed.stop()
