"""One key-position function: Redis's key specs, applied to every command redisprep sends.

The corpora are every command the drills send on the embedded backend and every command written in
the shipped decks. The server's own ``COMMAND GETKEYS`` is the truth; explain's cost model and the
cluster simulation must name exactly what :func:`redisprep.knowledge.keyspecs.command_keys` names.
(Before the older copies were deleted, this file compared them with it on the same corpora: 831
command lines agreed with the cost table, 331 with the cluster sets; GEORADIUS ... STORE was the
one difference, the cost table naming the source only.)
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import yaml

from redisprep.backends import connect
from redisprep.cluster.slots import command_keys as cluster_keys
from redisprep.drills import drill_names, run_drill
from redisprep.explain.annotate import key_names
from redisprep.explain.costs import cost_spec
from redisprep.explain.resolve import UnknownCommandError, resolve_name
from redisprep.explain.tracing import Tracer
from redisprep.knowledge.commands import command_names
from redisprep.knowledge.keyspecs import command_keys, legacy_positions
from redisprep.release import Release

ROOT = Path(__file__).resolve().parent.parent


def _text(value: object) -> str:
    return value.decode("utf-8", "surrogateescape") if isinstance(value, bytes) else str(value)


def _drill_commands() -> Iterator[list[str]]:
    for name in drill_names():
        backend = connect(None)
        tracer = Tracer()
        try:
            run_drill(name, backend, seed=0, tracer=tracer)
        finally:
            backend.close()
        for cmd in tracer.commands:
            argv = [_text(a) for a in cmd.args]
            if argv:
                yield argv[0].split() + argv[1:]


def _deck_commands() -> Iterator[list[str]]:
    heads = {n.split()[0] for n in command_names()}
    for path in sorted((ROOT / "flashcards").glob("*.yaml")):
        for card in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("cards") or []:
            if not isinstance(card, dict):
                continue
            texts = [*(card.get("setup") or []), card.get("command"), card.get("answer")]
            state = (card.get("expect") or {}).get("state") or []
            texts += [p[0] for p in state if isinstance(p, list) and p]
            for text in texts:
                try:
                    argv = shlex.split(text) if isinstance(text, str) else []
                except ValueError:
                    continue
                if argv and argv[0].upper() in heads:
                    yield argv


@pytest.fixture(scope="module")
def corpus() -> list[list[str]]:
    """Distinct command lines (name and arity) of the drills' traces and the decks."""
    seen: dict[tuple[str, ...], list[str]] = {}
    for argv in [*_drill_commands(), *_deck_commands()]:
        seen.setdefault((*(a.upper() for a in argv[:2]), str(len(argv))), argv)
    return list(seen.values())


def _new(argv: list[str]) -> set[str] | None:
    found = command_keys(argv)
    return None if found is None else {argv[p] for p in found.positions}


def test_the_corpus_covers_the_commands_redisprep_sends(corpus: list[list[str]]) -> None:
    names = {a[0].upper() for a in corpus}
    assert len(corpus) >= 800 and {"ZADD", "EVALSHA", "XREADGROUP", "MSET", "GEOSEARCH"} <= names


def test_the_server_names_the_same_keys(corpus: list[list[str]], live: Any) -> None:
    """COMMAND GETKEYS agrees on every corpus line the server takes (in order on 7.0+)."""
    client = redis.Redis.from_url(live.url, decode_responses=True)
    ordered = connect(live.url).release.at_least(Release.redis(7, 0))
    compared = 0
    try:
        for argv in corpus:
            ours = command_keys(argv)
            if ours is None or not ours.complete:
                continue
            named = [argv[p] for p in ours.positions]
            try:
                server = client.execute_command("COMMAND GETKEYS", *argv)
            except redis.ResponseError as exc:
                if "no key arguments" in str(exc):
                    assert named == [], argv
                    compared += 1
                continue  # a command or an arity this server does not take
            assert (named if ordered else sorted(named)) == (server if ordered else sorted(server)), argv
            compared += 1
    finally:
        client.close()
    assert compared >= (700 if ordered else 500)


def test_explain_and_the_cluster_read_the_same_positions(corpus: list[list[str]]) -> None:
    explained = routed = 0
    for argv in corpus:
        found = command_keys(argv)
        names = None if found is None else [argv[p] for p in found.positions]
        try:
            spec = cost_spec(resolve_name(argv))
        except UnknownCommandError:
            spec = None
        if spec is not None:
            assert key_names(spec, argv) == names, argv
            explained += 1
        routed_keys = cluster_keys(argv)
        if routed_keys is not None:
            assert routed_keys == names, argv
            routed += 1
    # 794 and 323 with the shipped decks: the bare names of the former complexity cards (`command: ZADD`)
    # counted as lines until those became cost cards without a command.
    assert explained >= 780 and routed >= 300


@pytest.mark.parametrize(
    ("legacy", "argc", "positions"),
    [
        ((1, 1, 1), 3, (1,)),  # GET-like: one key
        ((1, -1, 1), 4, (1, 2, 3)),  # MGET-like: every argument
        ((1, -1, 2), 5, (1, 3)),  # MSET-like: every other argument
        ((1, -2, 1), 4, (1, 2)),  # BLPOP-like: all but the timeout
        ((0, 0, 0), 3, ()),  # keyless
    ],
)
def test_the_legacy_range_of_older_servers(
    legacy: tuple[int, int, int], argc: int, positions: tuple[int, ...]
) -> None:
    assert legacy_positions(legacy, argc) == positions


def test_an_unknown_command_uses_the_servers_range_only_when_given() -> None:
    argv = ["BF.ADD", "filter", "item"]
    assert command_keys(argv) is None
    found = command_keys(argv, (1, 1, 1))
    assert found is not None and [argv[p] for p in found.positions] == ["filter"]
