"""Every drill in the catalog is fully explained: each command it sends, and each command its Lua
scripts call, has an entry in the command table; every complexity shown is the server's own text.

These tests iterate over the catalog, so drills added later are covered without editing this file.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from redisprep.backends import Backend, connect
from redisprep.drills import drill_names, run_drill
from redisprep.drills.model import DrillReport
from redisprep.explain.docs import docs_map
from redisprep.explain.observer import Explainer
from redisprep.explain.tracing import Tracer
from redisprep.knowledge.commands import command_doc, command_names, table_source
from redisprep.knowledge.keyspecs import script_calls
from redisprep.localserver import LocalServer, start_server


def _explained_run(name: str, backend: Backend) -> tuple[Tracer, Explainer, DrillReport]:
    explainer = Explainer(backend)
    tracer = Tracer(observer=explainer)
    report = run_drill(name, backend, tracer=tracer)
    return tracer, explainer, report


#: Drills that send nothing on the embedded backend: every step says in one line that it needs a real
#: server (their commands are checked by the live case of the same test).
REAL_SERVER_ONLY = frozenset({"replication"})


@pytest.mark.parametrize("drill", drill_names())
def test_every_command_and_script_call_of_every_drill_is_documented(drill: str, backend: Backend) -> None:
    tracer, explainer, report = _explained_run(drill, backend)
    if backend.is_simulated and drill in REAL_SERVER_ONLY:
        assert tracer.commands == [] and all(step.outcome.skipped for step in report.steps)
        return
    assert tracer.commands, f"{drill} sent nothing"
    missing = sorted({c.name for c in tracer.commands if command_doc(explainer.notes[c.seq].name) is None})
    assert not missing, f"{drill} sends commands missing from {table_source()}: {missing}"
    for cmd in tracer.commands:
        note = explainer.notes[cmd.seq]
        if note.name not in script_calls():
            continue
        if backend.is_simulated:  # a fresh server: every script body went through EVAL or SCRIPT LOAD
            assert note.script, f"{drill}: could not read the script of {' '.join(cmd.argv)[:60]}"
        for call in note.script:
            assert call.command is not None, f"{drill}: a script builds a command name at run time"
            assert command_doc(call.command) is not None, f"{drill}: script calls undocumented {call.command}"


def _shown(explainer: Explainer) -> set[tuple[str, str | None]]:
    """Every (command, complexity) explain showed, the calls inside scripts included."""
    notes = explainer.notes.values()
    return {(n.name, n.complexity) for n in notes} | {
        (s.command, s.complexity) for n in notes for s in n.script if s.command
    }


def _server_docs(backend: Backend) -> dict[str, Any] | None:
    """The server's COMMAND DOCS, or None where it has none (Redis 6.2)."""
    import redis

    try:
        return docs_map(backend.client().execute_command("COMMAND DOCS"))
    except redis.ResponseError:
        return None


@pytest.mark.live
@pytest.mark.parametrize("drill", drill_names())
def test_every_complexity_shown_is_the_servers_text(drill: str, live: Any) -> None:
    """The embedded backend shows the shipped table's text; a live server its own COMMAND DOCS text.

    Where the server has no COMMAND DOCS (Redis 6.2) explain shows the shipped table's text, and
    where its COMMAND DOCS give no complexity (a module's BF.* commands) the text of the module's
    own documentation, whose source the table names.
    """
    _, embedded, _ = _explained_run(drill, connect(None))
    for name, complexity in _shown(embedded):
        doc = command_doc(name)
        assert doc is not None and complexity == doc.complexity, name
    server = connect(live.url)
    try:
        docs = _server_docs(server)
        _, explainer, _ = _explained_run(drill, server)
    finally:
        server.close()
    shown = _shown(explainer)
    assert shown
    for name, complexity in shown:
        head, _, sub = name.lower().partition(" ")
        entry = (docs or {}).get(head)
        if entry and sub:
            entry = entry["subcommands"][f"{head}|{sub}"]
        if entry and entry.get("complexity"):
            assert complexity == entry["complexity"], name
            continue
        # No COMMAND DOCS (6.2), a command the server lacks, or one whose COMMAND DOCS give no
        # complexity (BF.* on 7.0, XREAD on Valkey 8.1): the shipped table's text, and explain
        # does not pass it off as the server's.
        doc = command_doc(name)
        assert doc is not None and complexity == doc.complexity, name
        info = explainer.docs.get(name)
        assert info is not None and info.source != f"COMMAND DOCS of the server ({server.release})", name


@pytest.fixture(scope="module")
def table_server() -> Iterator[LocalServer]:
    """The Redis the shipped table was generated from: redis-server on PATH, whatever server the
    rest of the suite runs against ($REDISPREP_SERVER)."""
    with pytest.MonkeyPatch.context() as env:
        env.delenv("REDISPREP_SERVER", raising=False)
        env.delenv("REDISPREP_SERVER_ARGS", raising=False)
        server = start_server()
    yield server
    server.stop()


@pytest.mark.live
def test_shipped_table_equals_the_command_docs_it_was_made_from(table_server: LocalServer) -> None:
    backend = connect(table_server.url)
    try:
        version = ".".join(map(str, backend.version))
        docs = docs_map(backend.client().execute_command("COMMAND DOCS"))
    finally:
        backend.close()
    if f"Redis {version}" not in table_source():
        pytest.skip(f"the table comes from {table_source()}, redis-server on PATH is {version}")
    for name in command_names():
        head, _, sub = name.lower().partition(" ")
        entry = docs[head] if not sub else docs[head]["subcommands"][f"{head}|{sub}"]
        doc = command_doc(name)
        assert doc is not None
        assert (doc.complexity, doc.deprecated_since, doc.replaced_by) == (
            entry.get("complexity"),
            entry.get("deprecated_since"),
            entry.get("replaced_by"),
        ), name
