"""explain on a live server: what it predicts without --execute equals what --execute then shows.

Each write is explained twice on the same data: once predicted from read-only probes, once run on a
disposable copy. The letters (N, M, items) and each key's type and size after the call must agree;
where the prediction says "not predicted" (encoding None) it makes no claim to compare. Every command
the command table flags ``write`` has a case, or sits in an exclusion whose reason is checked.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis
from server_facts import PROBED_SKIP

from redisprep.localserver import LocalServer

Setup = Callable[[redis.Redis], None]


def _stream(n: int) -> Setup:
    def fill(r: redis.Redis) -> None:
        r.eval("for i=1,tonumber(ARGV[1]) do redis.call('XADD', KEYS[1], '*', 'f', 'v') end", 1, "s", n)
        r.xgroup_create("s", "g", id="0")

    return fill


def _pending(r: redis.Redis) -> None:
    """Stream ``s`` with entries 1-0 .. 5-0, group ``g`` whose consumer ``c`` has read them all."""
    for i in range(1, 6):
        r.xadd("s", {"f": "v"}, id=f"{i}-0")
    r.xgroup_create("s", "g", id="0")
    r.xreadgroup("g", "c", {"s": ">"})


def _none(r: redis.Redis) -> None:
    return None


def _string(**values: str) -> Setup:
    return lambda r: None if r.mset(values) else None


def _filled(add: Callable[[redis.Redis, str, list[str]], Any]) -> Callable[..., Setup]:
    """A setup maker: ``_list(l=["a", "b"])`` adds those items to key ``l`` with ``add``."""

    def make(**keys: list[str]) -> Setup:
        def fill(r: redis.Redis) -> None:
            for key, items in keys.items():
                add(r, key, items)

        return fill

    return make


_list = _filled(lambda r, k, items: r.rpush(k, *items))
_sets = _filled(lambda r, k, items: r.sadd(k, *items))
_zsets = _filled(lambda r, k, items: r.zadd(k, {m: i for i, m in enumerate(items)}))
_hll = _filled(lambda r, k, items: r.pfadd(k, *items))


def _geo(r: redis.Redis) -> None:
    r.geoadd("g", (13.361389, 38.115556, "palermo", 15.087269, 37.502669, "catania"))


def _hash(r: redis.Redis) -> None:
    r.hset("h", mapping={"f1": "x", "c": "1"})


L3 = _list(l=["a", "b", "c"])
Z3 = _zsets(z=["a", "b", "c"])

#: Every write command explain knows, with data it acts on; some twice (a trim, a created key).
CASES: list[tuple[str, Setup]] = [
    # strings and bitmaps
    ("APPEND k xyz", _string(k="v")),
    ("BITFIELD bf SET u8 0 255", _none),
    ("BITOP AND dst a b", _string(a="ab", b="cd")),
    ("DECR n", _string(n="5")),
    ("DECRBY n 3", _string(n="5")),
    ("GETDEL k", _string(k="v")),
    ("GETEX k EX 100", _string(k="v")),
    ("GETSET k new", _string(k="v")),
    ("INCR n", _none),
    ("INCRBY n 5", _string(n="5")),
    ("INCRBYFLOAT n 1.5", _string(n="5")),
    ("MSET a 1 b 2", _none),
    ("MSETNX a 1 b 2", _none),
    ("PSETEX k 100000 v", _none),
    ("SET k hello", _none),
    ("SETBIT bm 7 1", _none),
    ("SETBIT bm 100 1", _string(bm="ab")),
    ("SETEX k 100 v", _none),
    ("SETNX k v", _none),
    ("SETNX k v", _string(k="old")),
    ("SET k v NX", _string(k="old")),
    ("SET k v XX", _none),
    ("SET k 12345 GET", _string(k="old")),
    ("INCRBYFLOAT n 0.25", _string(n="0.75")),
    ("DECRBY n 1000", _string(n="5")),
    ("MSETNX a 1 b 2", _string(b="x")),
    ("APPEND k xyz", _none),
    ("HSETNX h f1 v", _hash),
    ("SETRANGE k 5 xyz", _string(k="v")),
    ("PFADD hll a b c", _none),
    ("PFMERGE dst h1 h2", _hll(h1=["a", "b"], h2=["c"])),
    ("PFDEBUG GETREG hll", _hll(hll=["a"])),
    # any type
    ("COPY src dst", _string(src="v")),
    ("DEL k", _string(k="v")),
    ("UNLINK k", _string(k="v")),
    ("EXPIRE k 100", _string(k="v")),
    ("EXPIREAT k 4102444800", _string(k="v")),
    ("PEXPIRE k 100000", _string(k="v")),
    ("PEXPIREAT k 4102444800000", _string(k="v")),
    ("PERSIST k", lambda r: None if r.set("k", "v", ex=100) else None),
    ("MOVE k 1", _string(k="v")),
    ("RENAME a b", _string(a="v")),
    ("RENAMENX a b", _string(a="v")),
    ("SORT l STORE dst", _list(l=["3", "1", "2"])),
    # lists
    ("BLMOVE src dst LEFT RIGHT 0", _list(src=["a", "b"])),
    ("BLMPOP 0 1 l LEFT COUNT 2", L3),
    ("BLPOP l 0", L3),
    ("BRPOP l 0", L3),
    ("BRPOPLPUSH src dst 0", _list(src=["a", "b"])),
    ("LINSERT l BEFORE b x", L3),
    ("LMOVE src dst LEFT RIGHT", _list(src=["a", "b"])),
    ("LMPOP 1 l RIGHT COUNT 2", L3),
    ("LPOP l", L3),
    ("LPUSH l a b", L3),
    ("LPUSHX l a", L3),
    ("LPUSHX nothing a", _none),
    ("LREM l 0 a", L3),
    ("LSET l 0 z", L3),
    ("LTRIM l 0 1", L3),
    ("RPOP l 2", L3),
    ("RPOPLPUSH src dst", _list(src=["a", "b"])),
    ("RPUSH l a b c", _list(l=["x"])),
    ("RPUSHX l a", L3),
    # sets
    ("SADD st a b c", _sets(st=["a"])),
    ("SDIFFSTORE dst a b", _sets(a=["1", "2", "3"], b=["2"])),
    ("SINTERSTORE dst a b", _sets(a=["1", "2", "3"], b=["2", "3"])),
    ("SMOVE a b 1", _sets(a=["1", "2"], b=["3"])),
    ("SPOP st", _sets(st=["a", "b"])),
    ("SREM st a", _sets(st=["a", "b"])),
    ("SUNIONSTORE dst a b", _sets(a=["1"], b=["2"])),
    # sorted sets and geo
    ("BZMPOP 0 1 z MIN", Z3),
    ("BZPOPMAX z 0", Z3),
    ("BZPOPMIN z 0", Z3),
    ("ZADD lb 1 a 2 b 3 c", _zsets(lb=["a"])),
    ("ZDIFFSTORE dst 2 a b", _zsets(a=["1", "2"], b=["2"])),
    ("ZINCRBY z 5 d", Z3),
    ("ZINTERSTORE dst 2 a b", _zsets(a=["1", "2"], b=["2"])),
    ("ZMPOP 1 z MAX COUNT 2", Z3),
    ("ZPOPMAX z", Z3),
    ("ZPOPMIN z 2", Z3),
    ("ZRANGESTORE dst z 0 1", Z3),
    ("ZREM z a", Z3),
    ("ZREMRANGEBYLEX z - [b", _zsets(z=["a", "b", "c"])),
    ("ZREMRANGEBYRANK z 0 0", Z3),
    ("ZREMRANGEBYSCORE z 0 1", Z3),
    ("ZUNIONSTORE dst 2 a b", _zsets(a=["1"], b=["2"])),
    ("GEOADD g 13.36 38.11 palermo", _none),
    ("GEORADIUS g 15 37 200 km STORE dst", _geo),
    ("GEORADIUSBYMEMBER g palermo 200 km STORE dst", _geo),
    ("GEOSEARCHSTORE dst g FROMMEMBER palermo BYRADIUS 200 km", _geo),
    # hashes
    ("HDEL h f1", _hash),
    ("HINCRBY h c 2", _hash),
    ("HINCRBYFLOAT h c 0.5", _hash),
    ("HMSET h f1 v1 f2 v2", _hash),
    ("HSET h f1 v1 f2 v2", _hash),
    ("HSETNX h f3 v", _hash),
    # streams
    ("XACK s g 1-0 2-0", _pending),
    ("XADD s MAXLEN ~ 1000 * f v", _stream(5000)),
    ("XADD s MAXLEN 1000 * f v", _stream(5000)),
    ("XADD s MAXLEN ~ 1000 LIMIT 200 * f v", _stream(5000)),
    ("XADD s * f v", _stream(30)),
    ("XADD fresh * f v", _none),
    ("XAUTOCLAIM s g c2 0 0-0 COUNT 2", _pending),
    ("XCLAIM s g c2 0 1-0", _pending),
    ("XDEL s 1-0", _pending),
    ("XGROUP CREATE s g2 0", _pending),
    ("XGROUP CREATECONSUMER s g c9", _pending),
    ("XGROUP DELCONSUMER s g c", _pending),
    ("XGROUP DESTROY s g", _pending),
    ("XGROUP SETID s g 0", _pending),
    ("XREADGROUP GROUP g c COUNT 10 STREAMS s >", _stream(50)),
    ("XSETID s 99-0", _pending),
    ("XTRIM s MAXLEN 2", _pending),
    # not flagged write, but a script may write: this one only reads
    ("EVAL 'return redis.call(\"GET\", KEYS[1])' 1 k", _string(k="v")),
]

#: Write commands not run here, each group for a reason a test below checks still holds.
NO_KEYS = frozenset({"FUNCTION DELETE", "FUNCTION FLUSH", "FUNCTION LOAD", "FUNCTION RESTORE", "SWAPDB"})
"""They name no key: explain reads and predicts no key's state, so there is nothing to compare."""
NEVER_SENT = frozenset({"FLUSHALL", "FLUSHDB", "MIGRATE"})
"""explain never sends them for a server it did not start, not even to a copy: documentation only."""
SERIALIZED = frozenset({"RESTORE", "RESTORE-ASKING"})
"""They take a DUMP payload, whose bytes include NUL, which a command line's arguments cannot carry."""
EXCLUDED = NO_KEYS | NEVER_SENT | SERIALIZED


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
    name = shlex.split(command)[0]
    if not any(server.execute_command("COMMAND INFO", name)):  # LMPOP and ZMPOP on Redis 6.2
        pytest.skip(f"needs {name}, {PROBED_SKIP}")
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


def _write_commands() -> set[str]:
    """Every command the command table flags ``write`` (COMMAND INFO's flags, as shipped)."""
    from redisprep.knowledge.commands import command_names
    from redisprep.knowledge.keyspecs import command_info

    return {
        name
        for name in command_names()
        if (info := command_info(name.split())) is not None and "write" in info.flags
    }


def test_every_write_command_is_predicted_or_excluded_for_a_reason() -> None:
    from redisprep.explain.resolve import resolve_name

    covered = {resolve_name(shlex.split(command)) for command, _ in CASES}
    writes = _write_commands()
    assert len(writes) > 100  # the table, not an empty list
    assert writes - covered - EXCLUDED == set(), "a write command with no case"
    assert covered & EXCLUDED == set(), "a command both run and excluded"
    assert EXCLUDED <= writes, "an exclusion that is no longer a write command"


@pytest.mark.parametrize("name", sorted(NO_KEYS))
def test_the_commands_without_keys_still_name_none(name: str) -> None:
    from redisprep.knowledge.keyspecs import command_info

    info = command_info(name.split())
    assert info is not None and info.specs == ()


@pytest.mark.parametrize("name", sorted(NEVER_SENT))
def test_the_commands_never_sent_are_still_documentation_only(
    name: str, server: redis.Redis, module_server: LocalServer, invoke: Any
) -> None:
    executed = _explain(invoke, module_server.url, name, "--execute")
    assert not executed["executed"] and "never sends" in executed["not_run_because"]


@pytest.mark.parametrize("name", sorted(SERIALIZED))
def test_the_commands_excluded_for_a_payload_still_need_a_binary_one(
    name: str, server: redis.Redis, module_server: LocalServer
) -> None:
    from redisprep.knowledge.commands import command_doc

    doc = command_doc(name)
    assert doc is not None and "serialized value" in (doc.complexity or "")
    server.set("k", "v")
    with redis.Redis.from_url(module_server.url) as raw:
        assert b"\x00" in raw.dump("k")
