"""The tracer records every command, pipeline and transaction with its round trip, on both backends."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
import redis

from redisprep.backends import Backend, Namespace, delete_namespace
from redisprep.explain.tracing import Tracer, summarize_reply, tracing


@pytest.fixture
def ns(backend: Backend) -> Iterator[Namespace]:
    """A namespace whose keys are removed after the test, pass or fail."""
    space = Namespace.new()
    yield space
    delete_namespace(backend.client(), space)


def test_single_commands_each_take_a_round_trip(backend: Backend, ns: Namespace) -> None:
    r = backend.client()
    with tracing(r, Tracer()) as t:
        r.zadd(ns.key("lb"), {"alice": 100})
        r.zincrby(ns.key("lb"), 5, "alice")
    assert [c.name for c in t.commands] == ["ZADD", "ZINCRBY"]
    assert [c.round_trip for c in t.commands] == [1, 2]
    assert t.commands[1].reply == 105.0
    assert t.commands[0].argv == ["ZADD", ns.key("lb"), "100", "alice"]
    # Detached: later commands are not recorded.
    r.get(ns.key("x"))
    assert len(t.commands) == 2


def test_pipeline_is_one_round_trip_and_transaction_shows_multi_exec(backend: Backend, ns: Namespace) -> None:
    r = backend.client()
    with tracing(r, Tracer()) as t:
        pipe = r.pipeline(transaction=False)
        pipe.set(ns.key("a"), 1)
        pipe.incr(ns.key("a"))
        assert pipe.execute() == [True, 2]
        tx = r.pipeline()
        tx.incr(ns.key("a"))
        tx.get(ns.key("a"))
        tx.execute()
    names = [(c.name, c.round_trip, c.kind) for c in t.commands]
    assert names == [
        ("SET", 1, "pipeline"),
        ("INCRBY", 1, "pipeline"),
        ("MULTI", 2, "transaction"),
        ("INCRBY", 2, "transaction"),
        ("GET", 2, "transaction"),
        ("EXEC", 2, "transaction"),
    ]


def test_watch_reads_are_separate_round_trips(backend: Backend, ns: Namespace) -> None:
    r = backend.client()
    r.set(ns.key("n"), 1)
    with tracing(r, Tracer()) as t, r.pipeline() as pipe:
        pipe.watch(ns.key("n"))
        value = int(pipe.get(ns.key("n")))
        pipe.multi()
        pipe.set(ns.key("n"), value + 1)
        pipe.execute()
    assert [c.name for c in t.commands] == ["WATCH", "GET", "MULTI", "SET", "EXEC"]
    assert len({c.round_trip for c in t.commands}) == 3
    assert r.get(ns.key("n")) == "2"


def test_errors_are_recorded_and_still_raised(backend: Backend, ns: Namespace) -> None:
    r = backend.client()
    r.set(ns.key("s"), "text")
    with tracing(r, Tracer()) as t, pytest.raises(redis.ResponseError, match="not an integer"):
        r.incr(ns.key("s"))
    assert [c.name for c in t.commands] == ["INCRBY"]  # redis-py sends INCR as INCRBY key 1
    assert t.commands[0].error and "not an integer" in t.commands[0].error


def test_operations_label_commands_per_thread_and_count_calls(backend: Backend, ns: Namespace) -> None:
    tracer = Tracer()
    clients = [tracer.attach(backend.client()) for _ in range(4)]

    def work(i: int) -> None:
        with tracer.operation("incr"):
            clients[i].incr(ns.key("c"))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    clients[0].get(ns.key("c"))
    assert tracer.operations["incr"] == 4
    assert len(tracer.by_operation()["incr"]) == 4
    assert tracer.commands[-1].operation is None
    assert {c.client for c in tracer.commands} == {1, 2, 3, 4}


def test_reply_summary_is_short() -> None:
    assert summarize_reply(None) == "(nil)"
    assert summarize_reply(list(range(100))).endswith("(100 items)]")
    assert len(summarize_reply("x" * 500, 40)) == 40


def test_records_are_frozen_and_equal_to_ones_built_the_usual_way(backend: Backend, ns: Namespace) -> None:
    from redisprep.explain.tracing import TracedCommand

    r = backend.client()
    tracer = Tracer()
    with tracing(r, tracer), tracer.operation("rank update"):
        r.zadd(ns.key("lb"), {"alice": 100})
    (cmd,) = tracer.commands
    with pytest.raises(AttributeError):
        cmd.reply = 7  # type: ignore[misc]
    assert type(cmd) is TracedCommand
    assert cmd == TracedCommand(**cmd._asdict())
    assert (cmd.seq, cmd.operation, cmd.kind, cmd.client, cmd.step) == (1, "rank update", "command", 1, None)
    assert cmd._asdict()["args"] == ("ZADD", ns.key("lb"), 100, "alice")
    assert (cmd.name, cmd.argv) == ("ZADD", ["ZADD", ns.key("lb"), "100", "alice"])


def _wrapped_pipelines(client: Any, seen: list[str]) -> Any:
    """Wrap every pipeline's execute_command before the tracer sees it (as the practice guard does);
    ``seen`` gets the name of every command the wrapper passed on."""
    make = client.pipeline

    def pipeline(*args: Any, **kwargs: Any) -> Any:
        pipe = make(*args, **kwargs)
        queue = pipe.execute_command

        def execute_command(*a: Any, **k: Any) -> Any:
            seen.append(str(a[0]).upper())
            return queue(*a, **k)

        pipe.execute_command = execute_command
        return pipe

    client.pipeline = pipeline
    return client


@pytest.mark.parametrize("wrapped", [False, True], ids=["redis-py pipeline", "wrapped pipeline"])
def test_plain_and_wrapped_pipelines_are_recorded_alike(
    backend: Backend, ns: Namespace, wrapped: bool
) -> None:
    # A plain redis-py pipeline's queue is read at execute(); a wrapped one is traced command by
    # command. Both must give the same records, WATCH and errors included.
    r = backend.client()
    r.set(ns.key("n"), 1)
    r.set(ns.key("s"), "text")
    through_wrapper: list[str] = []
    if wrapped:
        _wrapped_pipelines(r, through_wrapper)
    with tracing(r, Tracer()) as t:
        with r.pipeline() as pipe:
            pipe.watch(ns.key("n"))
            value = int(pipe.get(ns.key("n")))
            pipe.multi()
            pipe.set(ns.key("n"), value + 1)
            pipe.execute()
        batch = r.pipeline(transaction=False)
        batch.incr(ns.key("s"))
        batch.get(ns.key("n"))
        assert batch.execute(raise_on_error=False)[1] == "2"
    seen = [(c.name, c.round_trip, c.kind, c.error is not None) for c in t.commands]
    assert seen == [
        ("WATCH", 1, "command", False),
        ("GET", 2, "command", False),
        ("MULTI", 3, "transaction", False),
        ("SET", 3, "transaction", False),
        ("EXEC", 3, "transaction", False),
        ("INCRBY", 4, "pipeline", True),
        ("GET", 4, "pipeline", False),
    ]
    # The tracer kept the wrapper in the path of every pipeline command (the guard relies on it).
    assert through_wrapper == (["WATCH", "GET", "SET", "INCRBY", "GET"] if wrapped else [])
