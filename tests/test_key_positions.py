"""One key-position function: it names the same keys as every older copy, on the commands redisprep sends.

The corpora are every command the drills send on the embedded backend and every command written in
the shipped decks. The older copies (explain's cost table, the cluster simulation's hand-kept sets)
are compared where they know the command; where the copies disagree on purpose it is listed here.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from redisprep.backends import connect
from redisprep.cluster.slots import command_keys as cluster_keys
from redisprep.drills import drill_names, run_drill
from redisprep.explain.costs import cost_spec
from redisprep.explain.resolve import UnknownCommandError, resolve_name
from redisprep.explain.tracing import Tracer
from redisprep.knowledge.commands import command_names
from redisprep.knowledge.keyspecs import command_keys

ROOT = Path(__file__).resolve().parent.parent
#: The cost table names only GEORADIUS's source key: it costs the search, not the STORE.
COST_TABLE_SKIPS_STORE = frozenset({"GEORADIUS", "GEORADIUSBYMEMBER"})


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


def test_the_cost_table_names_the_same_keys(corpus: list[list[str]]) -> None:
    compared = 0
    for argv in corpus:
        try:
            spec = cost_spec(resolve_name(argv))
        except UnknownCommandError:
            continue
        new = _new(argv)
        if spec is None or new is None:
            continue
        old = {argv[p] for p in spec.keys(argv) if 0 < p < len(argv)}
        if argv[0].upper() in COST_TABLE_SKIPS_STORE:
            assert old <= new, argv
        else:
            assert old == new, argv
        compared += 1
    assert compared >= 800


def test_the_cluster_sets_name_the_same_keys(corpus: list[list[str]]) -> None:
    compared = 0
    for argv in corpus:
        old = cluster_keys(argv)
        if old is None:
            continue
        assert set(old) == _new(argv), argv
        compared += 1
    assert compared >= 300
