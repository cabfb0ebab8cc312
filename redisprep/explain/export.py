"""Explain results as plain JSON-ready dicts (``--json``): stable keys, no rich objects."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from redisprep.explain.annotate import Annotation
from redisprep.explain.keystate import KeyState
from redisprep.explain.one_command import Explanation
from redisprep.explain.summary import RunSummary, change_sentence, shorten
from redisprep.explain.tracing import summarize_reply


def _state(state: KeyState) -> dict[str, Any]:
    return {
        "type": state.type,
        "size": state.size,
        "encoding": state.encoding,
        "memory": state.memory,
        "source": state.source,
    }


def annotation_to_dict(note: Annotation) -> dict[str, Any]:
    """One annotated command."""
    return {
        "command": note.name,
        "complexity": note.complexity,
        "doc_source": note.doc_source,
        "deprecation": note.deprecation,
        "letters": {x.name: {"value": x.value, "meaning": x.meaning} for x in note.letters},
        "formula": note.formula,
        "filled": note.filled_formula,
        "work": None if note.work is None else round(note.work, 2),
        "keys": {k.key: {"before": _state(k.before), "after": _state(k.after)} for k in note.keys},
        "script": [
            {
                "command": s.command,
                "line": s.line,
                "complexity": s.complexity,
                "letters": {x.name: x.value for x in s.letters},
            }
            for s in note.script
        ],
        "batched": note.batched,
    }


def explanation_to_dict(expl: Explanation) -> dict[str, Any]:
    """``redisprep explain --json``."""
    return {
        "args": list(expl.argv),
        "backend": expl.backend,
        "executed": expl.executed,
        "not_run_because": expl.why_not_run,
        "reply": summarize_reply(expl.reply, 500) if expl.executed else None,
        "error": expl.error,
        "latency_ms": None if expl.latency_ms is None else round(expl.latency_ms, 3),
        "round_trips": expl.round_trips,
        "filled": expl.filled,
        "ran_on": expl.ran_on,
        "copied": list(expl.copied),
        "changes": list(expl.changes),
        "server_received": expl.user_reads,
        "notes": list(expl.notes),
        **annotation_to_dict(expl.note),
    }


def add_explain(data: dict[str, Any], notes: Mapping[int, Annotation], run: RunSummary) -> None:
    """Add annotations to a drill report's commands (by ``seq``) and the run's explain summary."""
    for step in data.get("steps", []):
        for cmd in step.get("commands", []):
            note = notes.get(cmd["seq"])
            if note is not None:
                cmd["explain"] = annotation_to_dict(note)
    data["explain"] = {
        "commands": run.commands,
        "round_trips": run.round_trips,
        "costliest": None if run.costliest is None else shorten(run.costliest.argv, 200),
        "costliest_work": None if run.costliest is None else run.costliest.work,
        "slowest": None if run.slowest is None else shorten(run.slowest.argv, 200),
        "slowest_ms": None if run.slowest is None else round(run.slowest.duration_ms, 3),
        "encoding_changes": [change_sentence(c) for c in run.changes],
        "deprecated": [{"command": n, "note": t, "calls": c} for n, t, c in run.deprecated],
        "state_source": run.source,
    }
