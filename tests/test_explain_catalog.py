"""Every drill in the catalog is fully explained: each command it sends, and each command its Lua
scripts call, has an entry in the command table; every complexity shown is the server's own text.

These tests iterate over the catalog, so drills added later are covered without editing this file.
"""

from __future__ import annotations

from typing import Any

import pytest

from redisprep.backends import Backend, connect
from redisprep.drills import drill_names, run_drill
from redisprep.explain.annotate import SCRIPT_COMMANDS
from redisprep.explain.commands import command_doc, command_names, table_source
from redisprep.explain.docs import docs_map
from redisprep.explain.observer import Explainer
from redisprep.explain.tracing import Tracer


def _explained_run(name: str, backend: Backend) -> tuple[Tracer, Explainer]:
    explainer = Explainer(backend)
    tracer = Tracer(observer=explainer)
    run_drill(name, backend, tracer=tracer)
    return tracer, explainer


@pytest.mark.parametrize("drill", drill_names())
def test_every_command_and_script_call_of_every_drill_is_documented(drill: str, backend: Backend) -> None:
    tracer, explainer = _explained_run(drill, backend)
    assert tracer.commands, f"{drill} sent nothing"
    missing = sorted({c.name for c in tracer.commands if command_doc(explainer.notes[c.seq].name) is None})
    assert not missing, f"{drill} sends commands missing from {table_source()}: {missing}"
    for cmd in tracer.commands:
        note = explainer.notes[cmd.seq]
        if note.name not in SCRIPT_COMMANDS:
            continue
        if backend.is_simulated:  # a fresh server: every script body went through EVAL or SCRIPT LOAD
            assert note.script, f"{drill}: could not read the script of {' '.join(cmd.argv)[:60]}"
        for call in note.script:
            assert call.command is not None, f"{drill}: a script builds a command name at run time"
            assert command_doc(call.command) is not None, f"{drill}: script calls undocumented {call.command}"


@pytest.mark.live
@pytest.mark.parametrize("drill", drill_names())
def test_every_complexity_shown_is_the_servers_text(drill: str, live: Any) -> None:
    """Explain on the embedded backend (shipped table) and on a live server (its own COMMAND DOCS)."""
    server = connect(live.url)
    shown: set[tuple[str, str | None]] = set()
    try:
        docs = docs_map(server.client().execute_command("COMMAND DOCS"))
        for backend in (connect(None), server):
            _, explainer = _explained_run(drill, backend)
            shown |= {(n.name, n.complexity) for n in explainer.notes.values()}
            shown |= {
                (s.command, s.complexity) for n in explainer.notes.values() for s in n.script if s.command
            }
    finally:
        server.close()
    assert shown
    for name, complexity in shown:
        head, _, sub = name.lower().partition(" ")
        if head not in docs:
            # Newer or module commands (HEXPIRE, BF.*, TS.*) the embedded server has and 7.0 lacks:
            # their text comes from their own project's command metadata, with the source named.
            doc = command_doc(name)
            assert doc is not None and doc.source, name
            assert complexity == doc.complexity, name
            continue
        entry = docs[head] if not sub else docs[head]["subcommands"][f"{head}|{sub}"]
        assert complexity == entry.get("complexity"), name


@pytest.mark.live
def test_shipped_table_equals_the_live_servers_command_docs(live: Any) -> None:
    backend = connect(live.url)
    try:
        version = ".".join(map(str, backend.version))
        docs = docs_map(backend.client().execute_command("COMMAND DOCS"))
    finally:
        backend.close()
    if f"Redis {version}" not in table_source():
        pytest.skip(f"the table comes from {table_source()}, the server is {version}")
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
