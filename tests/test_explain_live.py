"""Explain on a live server reads encodings and memory, and never changes the user's keys.

Without --execute the user's server receives only explain's own reads (never the user's command);
with it, the command runs on a disposable server holding copies of its keys, and the output says
so. Every case ends by comparing a snapshot of the user's keys and, where it matters, INFO
commandstats (what the server itself counted)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from server_facts import compact, doc_source

from redisprep.backends import Backend, connect
from redisprep.localserver import LocalServer, start_server

pytestmark = pytest.mark.live


@pytest.fixture
def users_server() -> Iterator[tuple[LocalServer, Any]]:
    """A server of its own holding someone's data: a 128-member board, a hash, a list, a counter."""
    import redis

    server = start_server()
    user = redis.Redis(port=server.port, decode_responses=True)
    user.zadd("app:lb", {f"player:{i:03d}": i for i in range(128)})
    user.set("app:config", "v1")
    user.set("app:session", "abc", ex=3600)
    user.set("app:counter", 41)
    user.hset("app:user:1", mapping={"name": "Ann"})
    user.rpush("app:queue", "a", "b")
    user.sadd("app:ids", 1, 2, 3)
    yield server, user
    user.close()
    server.stop()


class _Snapshot:
    """Every key's serialized value and TTL; equal to a later one if only the clock moved."""

    def __init__(self, user: Any) -> None:
        self.items = {k: (user.dump(k), user.pttl(k)) for k in user.scan_iter()}

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, _Snapshot) or set(self.items) != set(other.items):
            return False
        for key, (value, ttl) in self.items.items():
            later_value, later_ttl = other.items[key]
            if later_value != value or (ttl < 0) != (later_ttl < 0) or abs(ttl - later_ttl) > 60_000:
                return False
        return True

    def __repr__(self) -> str:
        return repr(self.items)


def _snapshot(user: Any) -> _Snapshot:
    return _Snapshot(user)


def _explain(invoke: Any, url: str, *args: str) -> dict[str, Any]:
    result = invoke("explain", *args, "--url", url, "--json", catch=False)
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def _backend(server: LocalServer) -> Backend:
    return connect(server.url)


def _sent(user: Any) -> set[str]:
    """Command names the user's server has counted (INFO commandstats), e.g. ``zrange``."""
    return {k.removeprefix("cmdstat_") for k in user.info("commandstats")}


def test_a_read_is_costed_from_reads_explain_builds_not_run(invoke: Any, users_server: Any) -> None:
    server, user = users_server
    backend = _backend(server)
    user.config_resetstat()
    data = _explain(invoke, server.url, "ZRANGE app:lb 0 2 REV WITHSCORES")
    assert not data["executed"] and "--execute" in data["not_run_because"]
    state = data["keys"]["app:lb"]["before"]
    assert (state["encoding"], state["size"], state["source"]) == (compact(backend.release), 128, "read")
    assert state["memory"] == user.memory_usage("app:lb")
    assert data["doc_source"] == doc_source(backend)
    assert "zrange" not in _sent(user)  # the user's command never reached their server
    assert "TYPE" in data["server_received"]


def test_a_read_with_execute_runs_on_a_copy(invoke: Any, users_server: Any) -> None:
    server, user = users_server
    user.config_resetstat()
    data = _explain(invoke, server.url, "ZRANGE app:lb 0 2 REV WITHSCORES", "--execute")
    assert data["executed"] and data["reply"].startswith("[player:127, 127, player:126, 126")
    assert data["ran_on"].startswith("a disposable ") and data["copied"] == ["app:lb"]
    assert "zrange" not in _sent(user) and {"dump", "pttl"} <= _sent(user)


def test_a_write_is_costed_and_predicted_without_running(invoke: Any, users_server: Any) -> None:
    server, user = users_server
    before = _snapshot(user)
    data = _explain(invoke, server.url, "ZADD app:lb 1 newcomer")
    assert not data["executed"] and "--execute" in data["not_run_because"]
    assert data["letters"]["N"]["value"] == 128
    lb = data["keys"]["app:lb"]
    small = compact(_backend(server).release)
    assert (lb["before"]["encoding"], lb["after"]["encoding"]) == (small, "skiplist")
    assert lb["after"]["source"] == "predicted" and lb["after"]["size"] == 129
    # An existing member would not add a 129th entry: the model asks ZMSCORE first.
    data = _explain(invoke, server.url, "ZADD app:lb 5 player:001")
    assert data["keys"]["app:lb"]["after"]["encoding"] == small
    assert _snapshot(user) == before


def test_execute_runs_on_a_disposable_copy_and_leaves_nothing(invoke: Any, users_server: Any) -> None:
    server, user = users_server
    user.config_resetstat()
    before = _snapshot(user)
    data = _explain(invoke, server.url, "ZADD app:lb 1 newcomer", "--execute")
    assert data["executed"] and data["reply"] == "1"
    assert data["copied"] == ["app:lb"] and "disposable redis-server" in data["ran_on"]
    (state,) = data["keys"].values()
    small = compact(_backend(server).release)
    assert (state["before"]["encoding"], state["after"]["encoding"]) == (small, "skiplist")
    assert state["after"]["source"] == "read"
    for command in ("DEL app:config", "SET app:session other", "INCR app:counter", "RPOP app:queue"):
        assert _explain(invoke, server.url, command, "--execute")["executed"]
    script = "return redis.call('HSET', KEYS[1], 'name', 'Bob')"
    assert _explain(invoke, server.url, f'EVAL "{script}" 1 app:user:1', "--execute")["executed"]
    assert _explain(invoke, server.url, "SADD app:ids x", "--execute", "--fill", "600")["executed"]
    assert _snapshot(user) == before
    assert not {"del", "set", "incr", "rpop", "zadd", "eval", "sadd", "hset"} & _sent(user)


@pytest.mark.parametrize(
    ("command", "changed"),
    [
        ("SORT app:queue ALPHA STORE app:config", "'app:config' changed type: string -> list"),
        ("COPY app:config app:config2 DB 1", "created 'app:config2' (string) in database 1"),
        ("EVAL \"local c = redis.call c('FLUSHDB') return 1\" 0", None),
        ("EVAL \"return redis['call']('DEL', KEYS[1])\" 1 app:config", "deleted 'app:config'"),
    ],
)
def test_what_once_reached_the_users_data_now_runs_on_the_copy(
    invoke: Any, users_server: Any, command: str, changed: str | None
) -> None:
    server, user = users_server
    before = _snapshot(user)
    data = _explain(invoke, server.url, command, "--execute")
    assert data["executed"] and data["ran_on"].startswith("a disposable redis-server")
    if changed is not None:
        assert changed in data["changes"]
    assert _snapshot(user) == before and user.dbsize() == 7
    other = redis.Redis(port=server.port, db=1)  # the suite's own server: it may look at db 1
    assert other.dbsize() == 0, "a key was left in another database"
    other.close()


@pytest.mark.parametrize(
    "command",
    ["KEYS *", "FLUSHALL", "FLUSHDB", "CONFIG SET maxmemory 1", "DEBUG SLEEP 0", "SHUTDOWN NOSAVE"],
)
def test_forbidden_commands_are_never_sent(invoke: Any, users_server: Any, command: str) -> None:
    server, user = users_server
    before = _snapshot(user)
    data = _explain(invoke, server.url, command, "--execute")
    assert not data["executed"] and "never sends" in data["not_run_because"]
    stats = user.info("commandstats")
    name = command.split()[0].lower()
    assert not any(k.startswith(f"cmdstat_{name}") for k in stats), stats
    assert _snapshot(user) == before


@pytest.mark.parametrize(
    ("command", "why"),
    [
        ("EVAL \"return redis.call('DEL', 'app:config')\" 0", "touched a key it does not name"),
        ("EVAL \"local t = redis return t['call']('GET', 'app:config')\" 1 app:ids", "touched a key"),
        ("EVAL \"return rawget(redis, 'call')('INCR', 'app:counter')\" 0", "touched a key"),
        ("SORT app:queue BY weight_* STORE app:out", "reads keys named by a pattern"),
        ("EVALSHA 0123456789012345678901234567890123456789 0", "runs code stored on your server"),
    ],
)
def test_where_the_keys_cannot_be_known_it_is_refused_in_one_line(
    invoke: Any, users_server: Any, command: str, why: str
) -> None:
    server, user = users_server
    before = _snapshot(user)
    result = invoke("explain", command, "--url", server.url, "--execute")
    assert result.exit_code == 2 and why in result.stderr and len(result.stderr.splitlines()) == 1
    assert _snapshot(user) == before


def test_plain_explain_of_a_script_never_sends_it(invoke: Any, users_server: Any) -> None:
    """EVAL_RO once ran the user's script (and its KEYS) on their server."""
    server, user = users_server
    user.config_resetstat()
    result = invoke("explain", "EVAL_RO \"return redis.call('KEYS', '*')\" 0", "--url", server.url)
    assert result.exit_code == 0, result.stderr
    assert not {"eval_ro", "keys", "pfcount"} & _sent(user)
    result = invoke("explain", "PFCOUNT app:ids", "--url", server.url)
    assert not {"pfcount"} & _sent(user)


def test_a_write_on_a_key_of_the_wrong_type_is_explained(invoke: Any, users_server: Any) -> None:
    server, user = users_server
    for args in (["SADD app:config x"], ["LPUSH app:lb x"], ["HSET app:queue f v", "--execute"]):
        result = invoke("explain", *args, "--url", server.url)
        assert result.exit_code == 0, result.stderr
        assert "Traceback" not in result.stdout + result.stderr


def test_fill_on_a_live_server_needs_execute(invoke: Any, users_server: Any) -> None:
    server, _ = users_server
    result = invoke("explain", "ZADD app:lb 1 x", "--url", server.url, "--fill", "5")
    assert result.exit_code == 2 and "--execute" in result.stderr


def test_drill_explain_on_live_reads_encodings(invoke: Any, users_server: Any) -> None:
    server, user = users_server
    before = _snapshot(user)
    result = invoke("drill", "leaderboard", "--explain", "--url", server.url, "--json", catch=False)
    data = json.loads(result.stdout)
    assert data["ok"] and data["explain"]["state_source"] == "read"
    assert _snapshot(user) == before


def _servers_started_by(pid: int) -> list[tuple[int, str]]:
    """The redis-server processes whose parent is ``pid`` and that work in their own folder."""
    from pathlib import Path

    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            comm = (stat.parent / "comm").read_text().strip()
            cwd = str((stat.parent / "cwd").readlink())
        except OSError:
            continue
        # the parent's folder until the server has moved into its own (redisprep-<port>-...)
        if (
            int(fields[1]) == pid
            and comm.startswith(("redis-server", "valkey-server"))
            and "/redisprep-" in cwd
        ):
            found.append((int(stat.parent.name), cwd))
    return found


def test_ctrl_c_while_the_command_runs_on_the_copy_stops_the_copy_and_says_so(users_server: Any) -> None:
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    server, user = users_server
    before = _snapshot(user)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "redisprep",
            "explain",
            "BLPOP app:queue-empty 0",
            "--execute",
            "--url",
            server.url,
        ],
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not (copies := _servers_started_by(proc.pid)):  # the copy is up; BLPOP then blocks on it
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.05)
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    (line,) = err.strip().splitlines()
    assert line.startswith("error: interrupted; stopped run ") and line.endswith("'s private server"), line
    for pid, workdir in copies:
        assert not Path(f"/proc/{pid}").exists() or (Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z")
        assert not Path(workdir).exists()
    assert _snapshot(user) == before
