"""The small pieces of explain: script reading, formulas, parsing, measures and where docs come from."""

from __future__ import annotations

from typing import Any

import pytest

from redisprep.backends import connect
from redisprep.errors import BadUsageError, ExitCode
from redisprep.explain.costs import cost_spec
from redisprep.explain.docs import CommandDocs
from redisprep.explain.formula import evaluate, filled, letters
from redisprep.explain.measures import Call, reply_length
from redisprep.explain.one_command import parse_command
from redisprep.explain.resolve import UnknownCommandError, resolve_name
from redisprep.explain.script import read_script, strip_comments
from redisprep.knowledge.commands import command_names, table_source
from redisprep.release import Release


def test_script_reader_finds_calls_and_skips_comments_and_strings() -> None:
    source = """
-- redis.call('DEL', KEYS[1])   a comment
--[[ redis.call('FLUSHALL')
     still a comment ]]
local text = "redis.call('NOPE')" .. 'it\\'s'
local r = redis.call( "ZREVRANK" , KEYS[1], ARGV[1])
redis.pcall('XGROUP', 'CREATE', KEYS[2], 'g', '$', 'MKSTREAM')
return redis.call(ARGV[2], KEYS[1])
"""
    calls = read_script(source, frozenset({"XGROUP"}))
    assert [(c.command, c.line, c.protected) for c in calls] == [
        ("ZREVRANK", 6, False),
        ("XGROUP CREATE", 7, True),
        (None, 8, False),
    ]
    assert calls[0].resolve(["lb"], ["alice"]) == ("ZREVRANK", "lb", "alice")
    assert strip_comments("a -- b\nc").splitlines() == ["a     ", "c"]


def test_formula_fills_letters_and_never_evals() -> None:
    assert evaluate("log(N)+M", {"N": 1024, "M": 10}) == 20.0
    assert evaluate("log(N)+M", {"N": 1024, "M": None}) is None
    assert evaluate("items*log(N)", {"items": 3, "N": 0}) == 3.0  # log of 0 or 1 counts as one step
    assert evaluate("L+(N-K)*log(N)", {"L": 10, "N": 4, "K": 6}) == 10.0  # never negative
    assert filled("K+M*log(N)", {"K": 2, "M": 5, "N": 1000}) == "2+5*log2(1000)"
    assert letters("N*K+M*log(M)") == ["N", "K", "M"]
    with pytest.raises(ValueError):
        evaluate("__import__('os')", {})


def test_every_mapped_formula_uses_only_its_own_letters() -> None:
    specs = {name: spec for name in command_names() if (spec := cost_spec(name)) is not None}
    assert len(specs) > 100  # the cost table, not an empty loop
    for name, spec in specs.items():
        unknown = set(letters(spec.work)) - set(spec.vars)
        assert not unknown, f"{name}: {spec.work} uses {unknown}"


def test_parse_like_redis_cli() -> None:
    assert parse_command(['SET k "hello world"']) == ["SET", "k", "hello world"]
    assert parse_command(["SET", "k", "hello world"]) == ["SET", "k", "hello world"]
    with pytest.raises(BadUsageError) as info:
        parse_command(["SET k 'open"])
    assert info.value.exit_code == ExitCode.USAGE


def test_names_resolve_with_subcommands() -> None:
    assert resolve_name(["zadd", "k"]) == "ZADD"
    assert resolve_name(["xgroup", "create", "s", "g", "$"]) == "XGROUP CREATE"
    assert resolve_name(["OBJECT", "ENCODING", "k"]) == "OBJECT ENCODING"
    with pytest.raises(UnknownCommandError) as info:
        resolve_name(["ZRANGEBYSCOR", "k"])
    assert info.value.suggestions[0] == "ZRANGEBYSCORE"
    assert info.value.exit_code == ExitCode.USAGE


@pytest.mark.parametrize(
    ("argv", "reply", "want"),
    [
        (("ZRANGE", "k", "0", "-1", "WITHSCORES"), ["a", "1", "b", "2"], 2),  # flat RESP2 pairs
        (("ZRANGE", "k", "0", "-1", "WITHSCORES"), [["a", 1.0], ["b", 2.0]], 2),  # redis-py pairs
        (("HGETALL", "h"), {"f": "v", "g": "w"}, 2),
        (("LPOP", "l"), "x", 1),
        (("LPOP", "l"), None, 0),
    ],
)
def test_elements_returned_count_as_the_docs_do(argv: tuple[str, ...], reply: Any, want: int) -> None:
    assert reply_length(Call(argv, reply)) == want


def test_zadd_items_skip_the_options() -> None:
    spec = cost_spec("ZADD")
    assert spec is not None
    call = Call(("ZADD", "k", "NX", "CH", "1", "a", "2", "b"))
    assert spec.vars["items"].value(call) == 2


@pytest.mark.live
def test_a_live_server_answers_command_docs_first(live: Any) -> None:
    import redis

    backend = connect(live.url)
    try:
        try:
            backend.client().execute_command("COMMAND DOCS", "get")
            answers = True
        except redis.ResponseError:  # Redis 6.2: COMMAND DOCS arrived in 7.0
            answers = False
        docs = CommandDocs(backend.client(), backend.release.name)
        info = docs.get("XGROUP CREATE")
        assert info is not None and info.doc.complexity == "O(1)"
        if answers:
            assert info.source == f"COMMAND DOCS of the server ({backend.release})"
        else:
            assert info.source == f"shipped table: {table_source()}"
        setnx = docs.get("SETNX")
        # Redis 7.2 (and Valkey) mark SETNX deprecated themselves; for 6.2 and 7.0 the cited 7.2
        # supplement does.
        assert setnx is not None and setnx.doc.deprecated_since == "2.6.12"
        if backend.release.at_least(Release.redis(7, 2)):
            assert setnx.deprecation_source is None
        else:
            assert setnx.deprecation_source is not None and "Redis 7.2" in setnx.deprecation_source
    finally:
        backend.close()


def test_the_embedded_backend_uses_the_shipped_table() -> None:
    info = CommandDocs().get("ZADD")
    assert info is not None and info.source == "shipped table: COMMAND DOCS of Redis 7.0.15"
