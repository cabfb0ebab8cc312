"""Rich renderables for practice: the exercise list, a grade, a hint."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from redisprep.practice.catalog import Exercise
from redisprep.practice.formats import reproduce_command
from redisprep.practice.grade import GradeReport
from redisprep.practice.state import Hint

_MARK = {"pass": ("✔", "green"), "fail": ("✘", "red"), "error": ("✘", "bold red")}


def exercises_table(exercises: Sequence[Exercise], results: dict[str, dict[str, Any] | None]) -> Table:
    """Every exercise with its difficulty and the learner's latest grade."""
    table = Table(header_style="bold")
    for col in ("exercise", "difficulty", "status"):
        table.add_column(col, no_wrap=True)
    table.add_column("the drill it follows", no_wrap=True)
    for e in exercises:
        last = results.get(e.name)
        if last is None:
            status = Text("not graded yet", style="dim")
        elif last["passed"] == last["total"]:
            status = Text(f"passing ({last['total']}/{last['total']})", style="green")
        else:
            status = Text(f"failing ({last['passed']}/{last['total']})", style="red")
        table.add_row(e.name, e.difficulty, status, e.drill)
    return table


def grade_report(report: GradeReport) -> RenderableType:
    """A table of checks, the first failure's reproduce command, and the learner's output tail."""
    table = Table(
        title=f"{report.exercise}: {report.impl}, graded on {report.where or report.backend}",
        title_justify="left",
        header_style="bold",
    )
    table.add_column("", width=1)
    table.add_column("check")
    table.add_column("result")
    for check in report.checks:
        mark, style = _MARK[check.status]
        result = Text(check.message)
        if check.pitfall:
            result.append(f"\npitfall: {check.pitfall}", style="yellow")
        table.add_row(Text(mark, style=style), check.title, result)
    counts = report.counts
    verdict = Text(
        f"{counts['pass']} of {len(report.checks)} checks passed in {report.duration_s:.1f} s",
        style="bold green" if report.passed else "bold red",
    )
    parts: list[RenderableType] = [table, verdict]
    failed = [c for c in report.checks if c.status != "pass"]
    if failed:
        parts.append(Text(f"reproduce: {reproduce_command(report, failed[0])}", style="dim"))
    if report.output.strip():
        parts.append(
            Panel(
                Text(report.output.rstrip()[-800:]),
                title="your code printed",
                title_align="left",
                border_style="dim",
            )
        )
    return Group(*parts)


def hint_panel(exercise: str, hint: Hint) -> Panel:
    """One hint, with how many remain."""
    more = "run the command again for the next hint" if hint.level < hint.total else "that was the last hint"
    return Panel(
        Text(hint.text),
        title=f"hint {hint.level}/{hint.total} for {exercise}",
        title_align="left",
        subtitle=more,
        subtitle_align="right",
    )
