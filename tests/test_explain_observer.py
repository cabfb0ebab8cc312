"""The explain observer annotates lone commands, pipelines, transactions and scripts, on both backends."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from server_facts import compact, require

from redisprep.backends import Backend, Namespace, connect, delete_namespace
from redisprep.explain.observer import Explainer
from redisprep.explain.summary import change_sentence, step_rows, summarize
from redisprep.explain.tracing import Tracer
from redisprep.localserver import LocalServer


@pytest.fixture
def ns(backend: Backend) -> Iterator[Namespace]:
    space = Namespace.new()
    yield space
    delete_namespace(backend.client(), space)


def _traced(backend: Backend) -> tuple[Tracer, Explainer, Any]:
    explainer = Explainer(backend)
    tracer = Tracer(observer=explainer)
    return tracer, explainer, tracer.attach(backend.client())


def test_pipeline_and_transaction_commands_are_each_annotated(backend: Backend, ns: Namespace) -> None:
    tracer, explainer, r = _traced(backend)
    board = ns.key("lb")
    pipe = r.pipeline(transaction=False)
    pipe.zadd(board, {"a": 1, "b": 2})
    pipe.zadd(board, {"c": 3})
    pipe.execute()
    tx = r.pipeline()
    tx.zincrby(board, 5, "a")
    tx.execute_command("ZRANGE", board, 0, -1)
    tx.execute()
    names = [(explainer.notes[c.seq].name, c.kind, explainer.notes[c.seq].batched) for c in tracer.commands]
    assert names == [
        ("ZADD", "pipeline", True),
        ("ZADD", "pipeline", True),
        ("MULTI", "transaction", True),
        ("ZINCRBY", "transaction", True),
        ("ZRANGE", "transaction", True),
        ("EXEC", "transaction", True),
    ]
    # State is read around the whole round trip: N is the size before the batch.
    zrange = explainer.notes[tracer.commands[4].seq]
    assert [x.value for x in zrange.letters] == [3, 3]
    assert explainer.notes[tracer.commands[1].seq].keys[0].after.size == 3


def test_evalsha_scripts_are_read_from_script_load(backend: Backend, ns: Namespace) -> None:
    tracer, explainer, r = _traced(backend)
    board = ns.key("lb")
    r.zadd(board, {f"m{i}": i for i in range(10)})
    rank = r.register_script("return redis.call('ZRANK', KEYS[1], ARGV[1])")
    assert rank(keys=[board], args=["m3"]) == 3
    evalsha = [c for c in tracer.commands if c.name == "EVALSHA" and not c.error][-1]
    (call,) = explainer.notes[evalsha.seq].script
    assert call.command == "ZRANK" and call.complexity == "O(log(N))"
    assert [(x.name, x.value) for x in call.letters] == [("N", 10)]


def test_the_129th_zadd_is_named_in_the_summary(backend: Backend, ns: Namespace) -> None:
    tracer, explainer, r = _traced(backend)
    board = ns.key("lb")
    for i in range(130):
        r.zadd(board, {f"player:{i:04d}": i})
    (change,) = explainer.changes
    assert change.ordinal == 129
    small = compact(backend.release)
    assert change_sentence(change).startswith(
        f"the 129th ZADD to {board} turned {small} into skiplist: memory x"
    )
    summary = summarize(tracer.commands, explainer.notes, explainer.changes, explainer.source)
    assert summary.commands == 130 and summary.round_trips == 130
    assert summary.costliest is not None and summary.costliest.name == "ZADD"
    (row,) = step_rows(tracer.commands, explainer.notes)
    assert row.calls == 130 and row.encodings == (small, "skiplist")
    assert row.letters[0].text() == "N=0..129"


def test_deprecated_commands_are_counted(backend: Backend, ns: Namespace) -> None:
    tracer, explainer, r = _traced(backend)
    board = ns.key("lb")
    r.zadd(board, {"a": 1})
    r.zrange(board, 0, -1, desc=True)  # redis-py sends ZREVRANGE for this
    summary = summarize(tracer.commands, explainer.notes, explainer.changes, explainer.source)
    assert [(name, n) for name, _, n in summary.deprecated] == [("ZREVRANGE", 1)]


@pytest.mark.live
def test_fcall_reads_the_loaded_library(fresh_server: LocalServer) -> None:
    backend = connect(fresh_server.url)
    require(backend, "functions")
    space = Namespace.new()
    tracer, explainer, r = _traced(backend)
    library = (
        "#!lua name=rp_explain_test\n"
        "local function size(keys, args) return redis.call('SCARD', keys[1]) end\n"
        "redis.register_function('rp_size', size)\n"
    )
    try:
        r.execute_command("FUNCTION LOAD", "REPLACE", library)
        r.sadd(space.key("s"), 1, 2, 3)
        assert r.execute_command("FCALL", "rp_size", 1, space.key("s")) == 3
        fcall = tracer.commands[-1]
        (call,) = explainer.notes[fcall.seq].script
        assert (call.command, call.complexity) == ("SCARD", "O(1)")
    finally:
        backend.client().execute_command("FUNCTION DELETE", "rp_explain_test")
        delete_namespace(backend.client(), space)
        backend.close()


def test_unmapped_and_module_commands_still_have_their_keys_probed() -> None:
    backend = connect(None)
    tracer, explainer, r = _traced(backend)
    r.execute_command("BF.ADD", "filter", "x")  # fakeredis has RedisBloom; Redis 7.0.15 does not
    r.pfadd("visitors", "a", "b")
    bloom, hll = (explainer.notes[c.seq] for c in tracer.commands)
    assert bloom.keys[0].after.type == "MBbloom--" and bloom.keys[0].after.encoding is None
    # Not in Redis 7.0's COMMAND DOCS: the text comes from RedisBloom's own command metadata.
    assert bloom.complexity == "O(k), where k is the number of hash functions used by the last sub-filter"
    # fakeredis keeps a HyperLogLog as a set; explain shows what Redis has: a raw string.
    assert (hll.keys[0].after.type, hll.keys[0].after.encoding) == ("string", "raw")
