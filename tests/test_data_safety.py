"""A user's data is safe: everything redisprep runs against a server full of someone else's keys.

One server for the module holds 10,800 keys of every type (a tenth with TTLs, some named like ours,
some with braces or binary names). Every drill, explain, every exercise's reference through the
grader, bench and clean run against it; then a digest of every key (DUMP bytes, PTTL) must equal the
one taken before, no key of redisprep's may remain, and the server's own INFO commandstats must
show none of the forbidden commands. INFO commandstats is the proof at the server: it counts every
command any client sent (untraced probes, grading child processes, redis-benchmark, calls inside Lua
scripts) for the price of one INFO call, where MONITOR would double the server's work and need a
reader thread. Then Ctrl-C and a hard kill mid-drill, and ``clean`` after the kill.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from foreign_data import PER_TYPE, TYPES, differences, digest, fill

from redisprep.drills import drill_names, get_drill
from redisprep.explain.tracing import Tracer
from redisprep.localserver import LocalServer, start_server
from redisprep.practice.catalog import load_exercises

pytestmark = pytest.mark.live

#: Commands that must never reach a server redisprep did not start (INFO commandstats names).
FORBIDDEN = (
    "flushdb",
    "flushall",
    "keys",
    "config|set",
    "shutdown",
    "debug",
    "config|resetstat",
    "config|rewrite",
    "script|flush",
    "function|flush",
    "function|delete",
    "swapdb",
    "select",
    "move",
    "migrate",
    "randomkey",
)

PASSWORD = "d4ta-safety-pw"


class Filled:
    """The module's server, its data as filled, and the checks every test ends with."""

    def __init__(self, server: LocalServer) -> None:
        self.server = server
        # A password, as on any server worth protecting: grading there needs one (a per-run
        # ACL user only holds where every connection must log in).
        self.url = f"redis://:{PASSWORD}@127.0.0.1:{server.port}"
        self.client = redis.Redis.from_url(self.url)
        self.keys = fill(self.client)
        self.filled_at = time.monotonic()
        self.baseline = digest(self.client)
        self.stats_before = self.client.info("commandstats")
        self.processed = int(self.client.info("stats")["total_commands_processed"])

    def calls(self) -> dict[str, int]:
        """INFO commandstats as {command: calls}, to prove what reached this server."""
        stats = self.client.info("commandstats")
        return {k.removeprefix("cmdstat_"): int(v["calls"]) for k, v in stats.items()}

    def assert_reached(self, before: dict[str, int], what: str, *commands: str) -> None:
        """The premise of every "nothing happened" check: the run did send commands to THIS server
        (each of ``commands`` at least once, and something besides this test's own INFO)."""
        after = self.calls()
        grown = {c for c, n in after.items() if n > before.get(c, 0)} - {"info"}
        assert grown, f"{what}: no command reached the server"
        assert set(commands) <= grown, (what, sorted(grown))

    def ours(self) -> list[bytes]:
        """Keys that were not there when the server was filled (a run's leftovers)."""
        return [k for k in self.client.scan_iter(match="redisprep:*", count=1_000) if k not in self.baseline]

    def assert_untouched(self) -> None:
        """Every key as filled (values exact, TTLs ticked down), nothing added, nothing forbidden sent."""
        after = digest(self.client)
        elapsed = (time.monotonic() - self.filled_at) * 1_000
        assert differences(self.baseline, after, elapsed) == []
        stats = self.client.info("commandstats")
        assert [f"cmdstat_{c}" for c in FORBIDDEN if f"cmdstat_{c}" in stats] == []
        processed = int(self.client.info("stats")["total_commands_processed"])
        assert processed > self.processed  # counters only grow: nobody reset the statistics
        self.processed = processed


@pytest.fixture(scope="module")
def filled() -> Iterator[Filled]:
    server = start_server(password=PASSWORD)
    f = Filled(server)
    yield f
    f.client.close()
    server.stop()


@pytest.fixture
def traced_names(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of every command any tracer in this process records during the test."""
    seen: list[str] = []
    original = Tracer.record_round_trip  # every record of every round trip is made here

    def record(self: Tracer, *args: Any, **kwargs: Any) -> Any:
        made = original(self, *args, **kwargs)
        seen.extend(cmd.name for cmd in made)
        return made

    monkeypatch.setattr(Tracer, "record_round_trip", record)
    return seen


def _assert_none_forbidden(names: list[str]) -> None:
    """The six the contract names. (The redirection drill's trace holds MIGRATE: it is sent to its
    in-process simulated cluster when the server is not a cluster, never here; commandstats proves it.)"""
    named = {"FLUSHDB", "FLUSHALL", "KEYS", "CONFIG SET", "SHUTDOWN", "DEBUG"}
    assert [n for n in names if n in named or n.split()[0] in named] == []


def test_the_server_holds_ten_thousand_keys_of_every_type(filled: Filled) -> None:
    c = filled.client
    assert filled.keys >= 10_000 and c.dbsize() == filled.keys
    for kind in ("string", "hash", "list", "set", "zset", "stream"):
        assert sum(1 for _ in c.scan_iter(count=1_000, _type=kind)) >= PER_TYPE, kind
    # A HyperLogLog is a string starting "HYLL" (not PFCOUNT: it rewrites its cached count).
    assert c.type("hll:u1:1") == b"string" and c.getrange("hll:u1:1", 0, 3) == b"HYLL"
    assert c.geopos("geo:u1:1", "place1")[0] is not None
    assert sum(1 for v in filled.baseline.values() if v[1] > 0) >= PER_TYPE * len(TYPES) // 10
    assert c.object("encoding", "hash:{user0}:0") == b"hashtable"  # big ones cross thresholds
    assert c.object("encoding", "zset:{user0}:0") == b"skiplist"


def test_every_drill_leaves_the_data_alone(filled: Filled, invoke: Any, traced_names: list[str]) -> None:
    names = drill_names()
    for name in names:
        before = filled.calls()
        result = invoke("drill", name, "--url", filled.url)
        assert result.exit_code == 0, (name, result.stderr)
        filled.assert_reached(before, name)
        assert filled.ours() == [], name
    before = filled.calls()
    explained = invoke("drill", "leaderboard", "--explain", "--url", filled.url)
    assert explained.exit_code == 0 and filled.ours() == []
    filled.assert_reached(before, "leaderboard --explain", "zadd", "zincrby")
    assert len(names) >= 18 and {"hot-key", "redirection", "strings", "leaderboard"} <= set(names)
    assert len(traced_names) > 10_000
    _assert_none_forbidden(traced_names)
    filled.assert_untouched()


@pytest.mark.parametrize(
    "command",
    [
        ["HGETALL hash:u1:1"],
        ["ZRANGE zset:{user0}:0 0 9 REV WITHSCORES"],
        ["XRANGE stream:u1:1 - +"],
        ["PFCOUNT hll:u1:1"],  # readonly, yet it rewrites the HLL's cached count: costed, not run
        ["PFCOUNT hll:u1:2", "--execute"],
        ["DEL str:u1:1"],  # a write, costed from probes and not run
        ["EXPIRE str:u1:1 5"],
        ["ZADD zset:u1:1 100 alice"],
        ["HSET hash:u1:1 f0 changed", "--execute"],  # run on a copy in the run's namespace
        ["LPUSH list:u1:1 x", "--execute", "--fill", "200"],
        ["XADD stream:u1:1 * event login", "--execute"],
        ["SETBIT bits:u1:1 7 1", "--execute"],
        ["RENAME str:u1:1 str:u1:2", "--execute"],
        ["FLUSHDB", "--execute"],
        ["KEYS *"],
        ["CONFIG SET maxmemory 1mb", "--execute"],
    ],
    ids=lambda c: " ".join(c),
)
def test_explain_reads_and_never_writes_their_keys(
    filled: Filled, invoke: Any, traced_names: list[str], command: list[str]
) -> None:
    before = filled.calls()
    result = invoke("explain", *command, "--url", filled.url)
    assert result.exit_code == 0, result.stderr
    filled.assert_reached(before, " ".join(command))
    assert filled.ours() == []
    _assert_none_forbidden(traced_names)
    filled.assert_untouched()


def _reference(drill: str) -> Path:
    spec = importlib.util.find_spec(get_drill(drill).drill.reference)
    assert spec is not None and spec.origin is not None
    return Path(spec.origin)


def test_practice_check_of_every_reference(filled: Filled, invoke: Any, tmp_path: Path) -> None:
    exercises = load_exercises()
    for exercise in exercises:
        before = filled.calls()
        result = invoke(
            "practice",
            "check",
            exercise.name,
            "--impl",
            str(_reference(exercise.drill)),
            "--url",
            filled.url,
            "--junit",
            str(tmp_path / f"{exercise.name}.xml"),
            "--json",
            str(tmp_path / f"{exercise.name}.json"),
        )
        assert result.exit_code == 0, (exercise.name, result.stdout[-2000:], result.stderr)
        filled.assert_reached(before, exercise.name)
        assert filled.ours() == [], exercise.name
    assert len(exercises) >= 6
    filled.assert_untouched()


def test_bench_with_small_numbers(filled: Filled, invoke: Any) -> None:
    before = filled.calls()
    result = invoke(
        "bench",
        "--url",
        filled.url,
        "--requests",
        "200",
        "--connections",
        "2",
        "--players",
        "1000",
        "--queries",
        "10",
    )
    assert result.exit_code == 0, result.stderr
    filled.assert_reached(before, "bench", "zadd")
    filled.assert_untouched()


def test_clean_finds_nothing_of_ours_among_lookalikes(filled: Filled, invoke: Any) -> None:
    before = filled.calls()
    result = invoke("clean", "--url", filled.url, "--older-than", "0")
    assert result.exit_code == 0, result.stderr
    filled.assert_reached(before, "clean", "scan")
    assert "removed 0 keys of 0 interrupted runs" in result.stdout
    filled.assert_untouched()


def _drill_until_first_step(filled: Filled, name: str) -> subprocess.Popen[bytes]:
    """Start ``redisprep drill NAME`` on the server; return once its first step has finished."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "redisprep", "drill", name, "--url", filled.url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "100"},
    )
    assert proc.stdout is not None
    for line in proc.stdout:  # the first step's panel: the drill is running and has keys
        if "╭─ 1/".encode() in line:
            return proc
    proc.wait()
    pytest.fail(f"the drill ended before its first step: {proc.stderr.read() if proc.stderr else ''!r}")


def _interrupt(filled: Filled, proc: subprocess.Popen[bytes], sig: signal.Signals) -> tuple[int, str]:
    """Send ``sig`` while the server is paused (so the drill is surely mid-run); its exit and stderr."""
    os.kill(filled.server.pid, signal.SIGSTOP)
    try:
        proc.send_signal(sig)
    finally:
        os.kill(filled.server.pid, signal.SIGCONT)
    _, err = proc.communicate(timeout=60)
    return proc.returncode, err.decode()


def test_ctrl_c_mid_drill_removes_the_runs_keys(filled: Filled) -> None:
    proc = _drill_until_first_step(filled, "cache")
    code, stderr = _interrupt(filled, proc, signal.SIGINT)
    assert code == 130
    lines = stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: interrupted; removed ")
    assert int(lines[0].split("removed ")[1].split()[0]) > 0  # it had keys, and removed them
    assert filled.ours() == []
    filled.assert_untouched()


def _clients(filled: Filled) -> int:
    return int(filled.client.info("clients")["connected_clients"])


def test_after_a_hard_kill_clean_removes_exactly_the_leftovers(filled: Filled, invoke: Any) -> None:
    connected = _clients(filled)
    proc = _drill_until_first_step(filled, "cache")
    code, _ = _interrupt(filled, proc, signal.SIGKILL)
    assert code == -signal.SIGKILL
    deadline = time.monotonic() + 10
    while _clients(filled) > connected and time.monotonic() < deadline:  # the dead client's last bytes
        time.sleep(0.01)
    leftovers = filled.ours()
    markers = [k for k in leftovers if k.endswith(b"~run")]
    keys = [k for k in leftovers if k not in markers]
    assert len(markers) == 1 and keys and all(k.startswith(markers[0][: -len(b"~run")] + b":") for k in keys)
    before = filled.calls()
    result = invoke("clean", "--url", filled.url, "--older-than", "0")
    assert result.exit_code == 0, result.stderr
    assert f"removed {len(keys)} keys of 1 interrupted runs" in result.stdout
    filled.assert_reached(before, "clean", "scan", "unlink")
    assert filled.ours() == []
    filled.assert_untouched()
