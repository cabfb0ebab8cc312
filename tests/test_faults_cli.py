"""Every command that talks to Redis, against every way the server can be wrong before the run starts:
refused, wrong or missing password, malformed URL, older than Redis 6.0, a cluster node used as a
single server. Each ends with exactly one ``error:`` line and the README's exit code, no traceback.

The whole matrix runs in-process (fast); one command per fault also runs as ``python -m redisprep``
to cover the real entry point. Times are measured and reported by ``scripts/bench_faults.py``; the
only bound here is a hang guard.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from old_server import OldServer, start_old_server

from redisprep.errors import ExitCode
from redisprep.localserver import LocalServer, free_port, start_server

REFERENCE = Path(__file__).resolve().parent.parent / "redisprep" / "drills" / "leaderboard" / "reference.py"
#: A hang guard, not a speed target: redis-py's own defaults (10 retries with backoff, no socket
#: timeout) would make a stopped server hang forever; the measured figures are a second or two.
HANG_S = 60.0

#: The commands that talk to Redis, each as the arguments after ``redisprep`` for a URL.
COMMANDS: dict[str, Callable[[str], list[str]]] = {
    "drill": lambda url: ["drill", "leaderboard", "--url", url],
    "explain": lambda url: ["explain", "ZADD lb 1 a", "--url", url],
    "explain-drill": lambda url: ["explain", "leaderboard", "--url", url],
    "practice": lambda url: ["practice", "check", "leaderboard", "--impl", str(REFERENCE), "--url", url],
    "bench": lambda url: ["bench", "--url", url, "--requests", "100", "--players", "0", "--queries", "10"],
    "clean": lambda url: ["clean", "--url", url],
    "cluster-slot": lambda url: ["cluster", "slot", "user:1", "--url", url],
}
MALFORMED = {
    "redis://127.0.0.1:notaport": "Port could not be cast",
    "http://127.0.0.1:6379": "scheme must be one of",
    "redis://": "no host",
    "redis://127.0.0.1:6379/abc": "database must be a number",
    "redis://127.0.0.1:0": "port out of range",
    "redis://[::1": "Invalid IPv6 URL",
    "redis://127.0.0.1:6379?socket_timeout=abc": "Invalid value for 'socket_timeout'",
    "redis://127.0.0.1:6379?no_such_option=1": "unknown option 'no_such_option'",
    "redis://127.0.0.1:6379?protocol=9": "protocol must be either 2 or 3",
    "redis+cluster://127.0.0.1:6379/3": "a Redis Cluster has only database 0",
}


def assert_one_error_line(code: int, stderr: str, expected: int, *words: str) -> str:
    """Exactly one non-empty stderr line, starting ``error:``, with ``words`` in it; returns it."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert code == expected, stderr
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    assert "Traceback" not in stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def run_in_process(invoke: Any, argv: list[str]) -> Any:
    result = invoke(*argv)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def run_real(argv: list[str]) -> tuple[int, str, float]:
    """``python -m redisprep ARGV``: exit code, stderr, seconds."""
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "redisprep", *argv], capture_output=True, text=True, timeout=HANG_S
    )
    return proc.returncode, proc.stderr, time.monotonic() - started


@pytest.fixture(scope="module")
def password_server() -> Iterator[LocalServer]:
    """A server that requires a password (stopped by PID)."""
    server = start_server(password="right-one")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def pre_6_server() -> Iterator[OldServer]:
    """A server that reports Redis 5.0.14 in INFO and does not know HELLO (tests/old_server.py)."""
    server = start_old_server()
    yield server
    server.stop()


@pytest.mark.parametrize("command", COMMANDS)
def test_a_refused_connection_is_one_line_exit_4(command: str, invoke: Any) -> None:
    url = f"redis://127.0.0.1:{free_port()}"
    result = run_in_process(invoke, COMMANDS[command](url))
    line = assert_one_error_line(result.exit_code, result.stderr, ExitCode.BACKEND, "cannot reach")
    assert "Connection refused" in line


@pytest.mark.live
@pytest.mark.parametrize("command", COMMANDS)
def test_a_wrong_password_is_one_line_exit_4_without_the_password(
    command: str, password_server: LocalServer, invoke: Any
) -> None:
    url = f"redis://:wrong-one@127.0.0.1:{password_server.port}"
    result = run_in_process(invoke, COMMANDS[command](url))
    line = assert_one_error_line(result.exit_code, result.stderr, ExitCode.BACKEND, "authentication failed")
    assert "wrong-one" not in result.stderr + result.stdout and "***" in line


@pytest.mark.live
@pytest.mark.parametrize("command", COMMANDS)
def test_a_missing_password_says_the_server_needs_one(
    command: str, password_server: LocalServer, invoke: Any
) -> None:
    result = run_in_process(invoke, COMMANDS[command](password_server.url))
    assert_one_error_line(result.exit_code, result.stderr, ExitCode.BACKEND, "authentication failed")


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("url", MALFORMED)
def test_a_malformed_url_is_one_line_exit_2(command: str, url: str, invoke: Any) -> None:
    result = run_in_process(invoke, COMMANDS[command](url))
    assert_one_error_line(result.exit_code, result.stderr, ExitCode.USAGE, "malformed URL", MALFORMED[url])


@pytest.mark.parametrize("command", COMMANDS)
def test_a_server_older_than_6_is_one_line_exit_4(command: str, pre_6_server: OldServer, invoke: Any) -> None:
    result = run_in_process(invoke, COMMANDS[command](pre_6_server.url))
    if command == "cluster-slot":  # it only takes cluster nodes, and this is not one
        assert_one_error_line(result.exit_code, result.stderr, ExitCode.BACKEND, "not a Redis Cluster node")
        return
    assert_one_error_line(result.exit_code, result.stderr, ExitCode.BACKEND, "older than Redis 6.0", "5.0.14")


@pytest.mark.live
def test_a_database_the_server_does_not_have_is_one_line_exit_4(invoke: Any, live: Any) -> None:
    result = run_in_process(invoke, COMMANDS["drill"](live.url.rstrip("/") + "/99999"))
    assert_one_error_line(result.exit_code, result.stderr, ExitCode.BACKEND, "no such database")


@pytest.mark.cluster
@pytest.mark.parametrize("command", [c for c in COMMANDS if c != "cluster-slot"])
def test_a_cluster_node_used_as_a_single_server_says_to_pass_cluster(
    command: str, cluster: Any, invoke: Any
) -> None:
    for address in cluster.addresses:  # every node: MOVED or not, the answer is the same
        result = run_in_process(invoke, COMMANDS[command](f"redis://{address}"))
        assert_one_error_line(
            result.exit_code, result.stderr, ExitCode.BACKEND, "is a Redis Cluster node", "--cluster"
        )


@pytest.mark.cluster
def test_cluster_slot_takes_a_plain_url_to_a_node(cluster: Any, invoke: Any) -> None:
    node = cluster.addresses[0]
    result = invoke("cluster", "slot", "user:1", "--url", f"redis://{node}", catch=False)
    assert result.exit_code == 0, result.stderr
    # What the user reads: the key's slot, as the cluster itself computes it, and the live node.
    host, port = node.rsplit(":", 1)
    asked = redis.Redis(host=host, port=int(port))
    slot = int(asked.execute_command("CLUSTER", "KEYSLOT", "user:1"))
    asked.close()
    row = next(line for line in result.stdout.splitlines() if "user:1" in line)
    assert str(slot) in row.split() or f" {slot} " in row, result.stdout
    assert "simulated" not in result.stdout


@pytest.mark.live
def test_the_real_entry_point_gives_the_same_single_lines(
    password_server: LocalServer, pre_6_server: OldServer
) -> None:
    cases = [
        (f"redis://127.0.0.1:{free_port()}", ExitCode.BACKEND, "cannot reach"),
        (f"redis://:wrong-one@127.0.0.1:{password_server.port}", ExitCode.BACKEND, "authentication failed"),
        ("redis://127.0.0.1:notaport", ExitCode.USAGE, "malformed URL"),
        (pre_6_server.url, ExitCode.BACKEND, "older than Redis 6.0"),
    ]
    for url, code, words in cases:
        returncode, stderr, took = run_real(COMMANDS["drill"](url))
        assert_one_error_line(returncode, stderr, code, words)
        assert took < HANG_S


@pytest.mark.live
def test_a_unix_socket_url_works(tmp_path: Path, invoke: Any) -> None:
    # unix:///path used to be rebuilt as unix:/path, which redis-py rejects (a traceback).
    socket_path = tmp_path / "redis.sock"
    server = start_server("--unixsocket", str(socket_path), "--unixsocketperm", "700")
    try:
        result = invoke("drill", "strings", "--url", f"unix://{socket_path}", catch=False)
        assert result.exit_code == 0, result.stderr
        # The user sees the run on the socket, and the socket's server counted the drill's commands.
        shown = result.stdout.replace("\n", "")
        assert f"unix://{socket_path}" in shown and "checks came out as expected" in shown, result.stdout
        direct = redis.Redis(unix_socket_path=str(socket_path))
        stats = direct.info("commandstats")
        direct.close()
        assert stats["cmdstat_set"]["calls"] > 0 and stats["cmdstat_get"]["calls"] > 0, sorted(stats)
        result = invoke("clean", "--url", f"unix://{tmp_path / 'missing.sock'}")
        assert_one_error_line(result.exit_code, result.stderr, ExitCode.BACKEND, "cannot reach")
    finally:
        server.stop()
