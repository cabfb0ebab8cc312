"""The server dies (SIGKILL) or stops answering (SIGSTOP) in the middle of a run, at seeded points.

Each run is the real entry point in a subprocess (``tests/fault_inject.py`` sends the signal just
before the N-th command the process sends). It must end with one ``error:`` line and exit code 4,
no traceback, and no half-written progress: no practice grade recorded, no report files written.
A stopped server costs the 2 s socket timeout; the hang guard only catches a run that never ends
(the measured times are in ``scripts/bench_faults.py``).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from locked_server import LOCK, locked_url

from redisprep.errors import ExitCode
from redisprep.localserver import LocalServer, start_server

pytestmark = pytest.mark.live

INJECT = Path(__file__).resolve().parent / "fault_inject.py"
REFERENCE = Path(__file__).resolve().parent.parent / "redisprep" / "drills" / "leaderboard" / "reference.py"
#: Seed of the kill points; every drill below sends more commands than the largest point.
SEED = 7
HANG_S = 60.0
KILLED_DRILLS = ("leaderboard", "lock", "rate-limit", "event-sourcing", "lists", "pubsub-vs-streams")


@dataclass
class Outcome:
    code: int
    stderr: str
    seconds: float
    fired: bool

    def error_line(self) -> str:
        lines = [line for line in self.stderr.splitlines() if line.strip()]
        assert self.code == ExitCode.BACKEND, self.stderr
        assert len(lines) == 1 and lines[0].startswith("error: "), self.stderr
        assert "Traceback" not in self.stderr
        assert self.seconds < HANG_S
        return lines[0]


def run_with_fault(
    server: LocalServer, sig: str, at: int, argv: list[str], tmp: Path, url: str | None = None
) -> Outcome:
    """``redisprep ARGV --url <server>`` with ``sig`` sent to the server before the ``at``-th command
    redisprep itself sends (not counting a graded learner's, which run in a child of their own)."""
    marker = tmp / f"fired-{sig}-{at}-{argv[0]}-{argv[1]}"
    started = time.monotonic()
    proc = subprocess.run(
        [
            sys.executable,
            str(INJECT),
            str(server.pid),
            sig,
            str(at),
            str(marker),
            "--",
            *argv,
            "--url",
            url or server.url,
        ],
        capture_output=True,
        text=True,
        timeout=HANG_S,
    )
    return Outcome(proc.returncode, proc.stderr, time.monotonic() - started, marker.exists())


def in_parallel(jobs: list[Any]) -> list[Any]:
    """Each job in its own thread (the runs mostly wait on sockets; their servers are separate)."""
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(lambda job: job(), jobs))


@pytest.fixture
def servers() -> Any:
    """Start servers for one test; every one is resumed (if stopped) and stopped by PID afterwards."""
    started: list[LocalServer] = []

    def start(password: str | None = None) -> LocalServer:
        server = start_server(password=password)
        started.append(server)
        return server

    yield start
    for server in started:
        if server.alive():
            os.kill(server.pid, signal.SIGCONT)
        server.stop()


def test_a_server_killed_mid_drill_is_one_line_exit_4(servers: Any, tmp_path: Path) -> None:
    rng = random.Random(SEED)
    points = {name: rng.randrange(8, 40) for name in KILLED_DRILLS}
    runs = [(name, servers()) for name in KILLED_DRILLS]
    outcomes = in_parallel(
        [lambda n=n, s=s: run_with_fault(s, "KILL", points[n], ["drill", n], tmp_path) for n, s in runs]
    )
    for (name, server), outcome in zip(runs, outcomes, strict=True):
        assert outcome.fired, f"{name} sent fewer than {points[name]} commands"
        assert not server.alive()
        line = outcome.error_line()
        assert "cannot reach" in line, (name, line)


def test_every_command_survives_a_kill_mid_run(servers: Any, tmp_path: Path) -> None:
    # Points past the connection handshake (HELLO, PING, INFO x2), inside each command's own work.
    cases = [
        (["explain", "ZADD lb 1 a", "--execute"], 8),
        (["explain", "leaderboard"], 40),
        (["bench", "--requests", "2000", "--players", "1000", "--queries", "10", "--no-redis-benchmark"], 60),
        (["clean", "--older-than", "0"], 6),
    ]
    runs = [(argv, at, servers()) for argv, at in cases]
    outcomes = in_parallel(
        [lambda a=a, t=t, s=s: run_with_fault(s, "KILL", t, a, tmp_path) for a, t, s in runs]
    )
    for (argv, _, _), outcome in zip(runs, outcomes, strict=True):
        assert outcome.fired, argv
        assert "cannot reach" in outcome.error_line(), argv


def test_a_server_that_stops_answering_is_one_line_and_its_leftovers_can_be_cleaned(
    servers: Any, tmp_path: Path, invoke: Any
) -> None:
    cases = [
        (["drill", "leaderboard"], 120),  # inside the 8 lockstep writers
        (["drill", "pubsub-vs-streams"], 30),  # with subscribers open
        (["explain", "ZADD lb 1 a", "--execute"], 8),
        (["bench", "--requests", "2000", "--players", "0", "--queries", "10", "--no-redis-benchmark"], 60),
    ]
    runs = [(argv, at, servers()) for argv, at in cases]
    outcomes = in_parallel(
        [lambda a=a, t=t, s=s: run_with_fault(s, "STOP", t, a, tmp_path) for a, t, s in runs]
    )
    for (argv, _, server), outcome in zip(runs, outcomes, strict=True):
        assert outcome.fired, argv
        line = outcome.error_line()
        assert "Timeout" in line, (argv, line)
        os.kill(server.pid, signal.SIGCONT)
        if "may be left" in line:  # the remedy the message names works
            result = invoke("clean", "--older-than", "0", "--url", server.url, catch=False)
            assert result.exit_code == 0, result.stderr
        import redis

        left = list(redis.Redis(port=server.port).scan_iter(match="redisprep:*"))
        assert left == [], (argv, left)


# -- practice check: the server dies while the grader's checks use it --------------------------------


def grade_with_fault(server: LocalServer, sig: str, at: int, tmp: Path) -> tuple[Outcome, Path]:
    """Grade the reference leaderboard on ``server`` (locked), sending ``sig`` at the grader's
    ``at``-th command: the learner's code runs in a contained child that may not signal the server."""
    folder = tmp / f"{sig}-{at}"
    folder.mkdir()
    argv = ["practice", "check", "leaderboard", "--impl", str(REFERENCE)]
    argv += ["--junit", str(folder / "junit.xml"), "--json", str(folder / "results.json")]
    return run_with_fault(server, sig, at, argv, folder, url=locked_url(server)), folder


def practice_state() -> dict[str, Any]:
    path = Path(os.environ["REDISPREP_HOME"]) / "practice.json"
    return json.loads(path.read_text()) if path.exists() else {}


def test_a_server_dying_during_grading_records_no_grade_and_writes_no_report(
    servers: Any, tmp_path: Path
) -> None:
    rng = random.Random(SEED)
    cases = [("KILL", 1), ("KILL", rng.randrange(2, 30)), ("STOP", rng.randrange(2, 30))]
    runs = [(sig, at, servers(LOCK)) for sig, at in cases]  # --url grades only behind passwords
    outcomes = in_parallel([lambda g=g, a=a, s=s: grade_with_fault(s, g, a, tmp_path) for g, a, s in runs])
    for (sig, at, _), (outcome, folder) in zip(runs, outcomes, strict=True):
        assert outcome.fired, f"the grader sent fewer than {at} commands"
        line = outcome.error_line()
        assert "cannot reach" in line, (sig, at, line)
        assert not (folder / "junit.xml").exists() and not (folder / "results.json").exists()
    assert practice_state().get("results", {}) == {}  # a dead server is not the learner's fail


BLOCKER = """
from redisprep.drills.leaderboard.reference import *


def add_points(r, board, player, points):
    return r.execute_command("BZPOPMIN", board + ":never", 0)  # outlives the 2 s socket timeout
"""


def test_a_learner_timeout_on_a_healthy_server_is_the_learners_fail(
    locked: Any, tmp_path: Path, invoke: Any
) -> None:
    impl = tmp_path / "leaderboard.py"
    impl.write_text(BLOCKER)
    result = invoke(
        "practice", "check", "leaderboard", "--impl", str(impl), "--url", locked.url, "--only",
        "leaderboard.concurrent_add",
    )  # fmt: skip
    assert result.exit_code == ExitCode.FAILED, result.stderr + result.stdout
    assert "your code raised TimeoutError" in result.stdout
