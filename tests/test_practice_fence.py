"""A Redis connection the learner's own code opens is refused with a message naming its line; the
grader's connections, and those redisprep opens while learner code is on the stack, still work.

In-process, as the grading child does it (:func:`fence_connections`, then the learner's module
loaded by :func:`redisprep.practice.child.load`), so ``make mutate`` judges the fence too.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
import redis
from redis.connection import Connection, ConnectionPool

from redisprep.localserver import LocalServer
from redisprep.practice.child import load
from redisprep.practice.fence import fence_connections

LEARNER = """\
import redis

shared = redis.Redis(port={port})


def module_client():
    return shared.ping()


def own_client():
    mine = redis.Redis(port={port})
    return mine.ping()


def through_redisprep(url):
    from redisprep.backends import connect

    backend = connect(url)
    try:
        return backend.client().ping()
    finally:
        backend.close()


def grader_client(client):
    return client.ping()
"""


def _refusal(line: int) -> str:
    return (
        f"your code opened a Redis connection of its own (solution.py:{line}); "
        "use the client your function receives"
    )


@pytest.fixture
def fenced(
    tmp_path: Path, module_server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[ModuleType, list[str]]]:
    """The learner's module, loaded after the fence went up; and the refusals reported so far."""
    monkeypatch.setattr(ConnectionPool, "__init__", ConnectionPool.__init__)  # put back afterwards
    monkeypatch.setattr(ConnectionPool, "get_connection", ConnectionPool.get_connection)
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.delitem(sys.modules, "solution", raising=False)
    impl = tmp_path / "solution.py"
    source = LEARNER.format(port=module_server.port)
    impl.write_text(source)
    with redis.Redis(port=module_server.port) as before:
        assert before.ping()  # premise: the server answers
    reported: list[str] = []
    fence_connections(reported.append, str(impl))
    yield load(source, str(impl), str(tmp_path)), reported
    sys.modules.pop("solution", None)


@pytest.mark.parametrize(
    ("function", "line"),
    [
        ("module_client", 3),  # a client the module opened at import
        ("own_client", 11),  # one a learner's function opens
    ],
)
def test_a_client_the_learners_code_opens_is_refused_naming_its_line(
    fenced: tuple[ModuleType, list[str]], function: str, line: int
) -> None:
    module, reported = fenced
    with pytest.raises(redis.ConnectionError) as refused:
        getattr(module, function)()
    assert str(refused.value) == _refusal(line) and reported == [_refusal(line)]


def test_the_client_the_grader_passes_in_still_works(
    fenced: tuple[ModuleType, list[str]], module_server: LocalServer
) -> None:
    module, reported = fenced
    with redis.Redis(port=module_server.port) as client:  # the grader's, opened after the fence
        assert module.grader_client(client) is True and reported == []


def test_a_connection_redisprep_opens_while_learner_code_is_on_the_stack_still_works(
    fenced: tuple[ModuleType, list[str]], module_server: LocalServer
) -> None:
    module, reported = fenced
    assert module.through_redisprep(module_server.url) is True and reported == []


def test_a_pool_the_grader_makes_keeps_every_argument_it_was_given(
    fenced: tuple[ModuleType, list[str]], module_server: LocalServer
) -> None:
    """The fence wraps the pool's constructor: arguments given by position still reach it."""
    _, reported = fenced
    pool = ConnectionPool(Connection, 1, port=module_server.port)  # at most one connection
    first = pool.get_connection()
    try:
        with pytest.raises(redis.ConnectionError, match="Too many connections"):
            pool.get_connection()
    finally:
        pool.release(first)
        pool.disconnect()
    assert reported == []
