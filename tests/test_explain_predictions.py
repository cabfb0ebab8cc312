"""explain on a live server: what it predicts without --execute equals what --execute then shows.

Each write is explained twice on the same data: once predicted from read-only probes, once run on a
disposable copy. The letters (N, M, items) and each key's type and size after the call must agree;
where the prediction says "not predicted" (encoding None) it makes no claim to compare.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis

from redisprep.localserver import LocalServer

Setup = Callable[[redis.Redis], None]


def _stream(n: int) -> Setup:
    def fill(r: redis.Redis) -> None:
        r.eval("for i=1,tonumber(ARGV[1]) do redis.call('XADD', KEYS[1], '*', 'f', 'v') end", 1, "s", n)
        r.xgroup_create("s", "g", id="0")

    return fill


def _none(r: redis.Redis) -> None:
    return None


CASES: list[tuple[str, Setup]] = [
    ("XADD s MAXLEN ~ 1000 * f v", _stream(5000)),
    ("XADD s MAXLEN 1000 * f v", _stream(5000)),
    ("XADD s MAXLEN ~ 1000 LIMIT 200 * f v", _stream(5000)),
    ("XADD s * f v", _stream(30)),
    ("XADD fresh * f v", _none),
    ("SETBIT bm 7 1", _none),
    ("SETBIT bm 100 1", lambda r: r.set("bm", "ab")),
    ("XREADGROUP GROUP g c COUNT 10 STREAMS s >", _stream(50)),
    ("EVAL 'return redis.call(\"GET\", KEYS[1])' 1 k", lambda r: r.set("k", "v")),
    ("SET k hello", _none),
    ("INCR n", _none),
    ("APPEND k xyz", lambda r: r.set("k", "v")),
    ("ZADD lb 1 a 2 b 3 c", lambda r: r.zadd("lb", {"a": 1})),
    ("SADD st a b c", lambda r: r.sadd("st", "a")),
    ("HSET h f1 v1 f2 v2", lambda r: r.hset("h", "f1", "x")),
    ("RPUSH l a b c", lambda r: r.rpush("l", "x")),
    ("LPUSHX nothing a", _none),
    ("DEL k", lambda r: r.set("k", "v")),
    ("EXPIRE k 100", lambda r: r.set("k", "v")),
    ("GEOADD g 13.36 38.11 palermo", _none),
]


@pytest.fixture
def server(module_server: LocalServer) -> Iterator[redis.Redis]:
    r = redis.Redis.from_url(module_server.url, decode_responses=True)
    r.flushdb()  # a server this module started
    yield r
    r.flushdb()
    r.close()


def _explain(invoke: Any, url: str, command: str, *extra: str) -> dict[str, Any]:
    result = invoke("explain", "--url", url, command, "--json", *extra)
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


@pytest.mark.parametrize(("command", "setup"), CASES, ids=[c for c, _ in CASES])
def test_prediction_equals_execution(
    command: str, setup: Setup, server: redis.Redis, module_server: LocalServer, invoke: Any
) -> None:
    setup(server)
    predicted = _explain(invoke, module_server.url, command)
    executed = _explain(invoke, module_server.url, command, "--execute")
    assert not predicted["executed"] and executed["executed"]
    assert executed["error"] is None, executed["error"]
    for letter, value in predicted["letters"].items():
        if value["value"] is not None:
            assert value["value"] == executed["letters"][letter]["value"], letter
    for key, states in predicted["keys"].items():
        after, actual = states["after"], executed["keys"][key]["after"]
        if after["type"] != "none" and after["encoding"] is None:
            continue  # "not predicted": no claim made
        assert (after["type"], after["size"]) == (actual["type"], actual["size"]), key
        if after["encoding"] is not None:
            assert after["encoding"] == actual["encoding"], key


def test_the_trim_is_predicted_not_guessed_as_one(
    server: redis.Redis, module_server: LocalServer, invoke: Any
) -> None:
    _stream(5000)(server)
    predicted = _explain(invoke, module_server.url, "XADD s MAXLEN ~ 1000 * f v")
    assert predicted["letters"]["N"]["value"] == 4000
    assert server.xlen("s") == 5000  # nothing ran on the user's server
