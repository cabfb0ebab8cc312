"""Explain on a live server reads encodings and memory, and never changes the user's keys."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
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


def test_a_read_runs_and_encoding_and_memory_are_read(invoke: Any, users_server: Any) -> None:
    server, user = users_server
    backend = _backend(server)
    data = _explain(invoke, server.url, "ZRANGE app:lb 0 2 REV WITHSCORES")
    assert data["executed"] and data["reply"].startswith("[player:127, 127, player:126, 126")
    state = data["keys"]["app:lb"]["before"]
    assert (state["encoding"], state["size"], state["source"]) == (compact(backend.release), 128, "read")
    assert state["memory"] == user.memory_usage("app:lb")
    assert data["doc_source"] == doc_source(backend)


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


def test_execute_runs_on_copies_and_leaves_nothing(invoke: Any, users_server: Any) -> None:
    server, user = users_server
    before = _snapshot(user)
    data = _explain(invoke, server.url, "ZADD app:lb 1 newcomer", "--execute")
    assert data["executed"] and data["reply"] == "1"
    copy = data["copies"]["app:lb"]
    assert copy.startswith("redisprep:") and copy.endswith(":explain:app:lb")
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


def test_a_script_that_names_other_keys_is_refused(invoke: Any, users_server: Any) -> None:
    server, user = users_server
    before = _snapshot(user)
    result = invoke(
        "explain", "EVAL \"return redis.call('DEL', 'app:config')\" 0", "--url", server.url, "--execute"
    )
    assert result.exit_code == 2 and "not passed in KEYS" in result.stderr
    assert _snapshot(user) == before


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
