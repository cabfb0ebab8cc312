"""Turn drill reports into plain dicts for ``--json`` (stable keys, no rich objects)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from redisprep.drills.model import BarChart, CheckResult, DataTable, DrillReport, Figure, StepResult
from redisprep.explain.tracing import TracedCommand, summarize_reply


def report_to_dict(report: DrillReport, *, commands: bool = False) -> dict[str, Any]:
    """The report as JSON-ready data; ``commands`` adds every traced command of every step."""
    return {
        "drill": report.name,
        "title": report.title,
        "backend": report.backend,
        "seed": report.seed,
        "ok": report.ok,
        "duration_ms": round(report.duration_ms, 1),
        "keys_removed": report.keys_removed,
        "steps": [_step(s, commands) for s in report.steps],
        "costs": [asdict(c) for c in report.costs],
        "questions": [{"question": q.question, "points": list(q.points)} for q in report.questions],
    }


def _step(step: StepResult, commands: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "title": step.title,
        "ok": step.ok,
        "narration": list(step.outcome.narration),
        "skipped": step.outcome.skipped,
        "figures": [_figure(f) for f in step.outcome.figures],
        "checks": [check_to_dict(c) for c in step.outcome.checks],
        "command_count": len(step.commands),
        "round_trips": len({c.round_trip for c in step.commands}),
        "duration_ms": round(step.duration_ms, 2),
    }
    if commands:
        out["commands"] = [command_to_dict(c) for c in step.commands]
    return out


def check_to_dict(check: CheckResult) -> dict[str, Any]:
    """A check result: ``status`` (``pass``/``fail``, as in results.json and JUnit) and, for consumers
    written before it, ``passed`` (``status == "pass"``)."""
    return {
        "id": check.id,
        "title": check.title,
        "status": check.status,
        "passed": check.passed,
        "message": check.message,
        "expected": check.expected,
        "pitfall": check.pitfall,
        "measured": dict(check.measured),
        "as_expected": check.as_expected,
    }


def _figure(fig: Figure) -> dict[str, Any]:
    if isinstance(fig, DataTable):
        return {
            "type": "table",
            "title": fig.title,
            "columns": list(fig.columns),
            "rows": [list(r) for r in fig.rows],
        }
    assert isinstance(fig, BarChart)
    return {
        "type": "bars",
        "title": fig.title,
        "unit": fig.unit,
        "bars": [{"label": k, "value": v} for k, v in fig.bars],
    }


def command_to_dict(cmd: TracedCommand) -> dict[str, Any]:
    """One traced command as JSON-ready data (the reply summarised)."""
    return {
        "seq": cmd.seq,
        "args": cmd.argv,
        "reply": summarize_reply(cmd.reply, 200),
        "error": cmd.error,
        "duration_ms": round(cmd.duration_ms, 3),
        "round_trip": cmd.round_trip,
        "kind": cmd.kind,
        "client": cmd.client,
        "operation": cmd.operation,
    }
