"""Render interview scenarios, lint problems and a grade (each point, how it was checked, what to study)."""

from __future__ import annotations

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from redisprep.interview.catalog import ScenarioLint
from redisprep.interview.grade import Grade
from redisprep.interview.model import DeepDive, Scenario, Stage

_HOW = {
    "stated": "stated numbers",
    "sized": "sized (redisprep size)",
    "ran": "ran on embedded server",
    "static": "checked statically",
    "chosen": "choice",
    "proactive": "raised unasked",
}


def scenario_table(scenarios: list[Scenario]) -> Table:
    """One row per scenario: id, title, minutes, rubric points."""
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for col in ("scenario", "title", "minutes", "points"):
        table.add_column(col, justify="right" if col in ("minutes", "points") else "left")
    for s in scenarios:
        table.add_row(s.id, s.title, f"{s.minutes:g}", str(sum(1 for p in s.points if not p.bonus)))
    return table


def lint_view(report: ScenarioLint) -> RenderableType:
    """``file:line: problem`` lines, then a one-line summary."""
    lines = [Text(str(p)) for p in report.problems]
    verdict = "ok" if report.ok else f"{len(report.problems)} problem(s)"
    lines.append(Text(f"{report.files} scenario file(s), {len(report.scenarios)} valid: {verdict}"))
    return Group(*lines)


def clock(seconds: float) -> str:
    """``4:05`` (or ``-0:30`` when over time)."""
    sign = "-" if seconds < 0 else ""
    s = int(abs(seconds))
    return f"{sign}{s // 60}:{s % 60:02d}"


def stage_heading(stage: Stage, left_s: float, budget_s: float) -> RenderableType:
    """The stage's title, its time left, and its prompt."""
    head = Text.assemble((f"\n{stage.id}", "bold"), f"  ({clock(left_s)} left of {clock(budget_s)})")
    return Group(head, Text(stage.prompt.strip()))


def dive_view(dive: DeepDive) -> RenderableType:
    """A deep dive's question and its lettered remedies."""
    return Group(Text(dive.prompt, style="bold"), *(Text(f"  {k}) {v}") for k, v in dive.choices))


def grade_view(grade: Grade, reviewed: tuple[str, ...]) -> RenderableType:
    """The rubric table, what to study (cards and drills), the working and what was not graded."""
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, title=grade.scenario.title, title_justify="left")
    table.add_column("point", no_wrap=True)
    table.add_column("score", justify="right")
    table.add_column("checked")
    table.add_column("detail", overflow="fold")
    for r in grade.results:
        name = r.point.id + (" (bonus)" if r.point.bonus else "")
        table.add_row(name, f"{r.score:g}", _HOW[r.how], r.detail)
    parts: list[RenderableType] = [table, Text(f"score: {grade.score:.0%}", style="bold")]
    if grade.missed:
        parts.append(Text("\nTo study:", style="bold"))
        for r in grade.missed:
            cards = ", ".join(r.point.cards)
            parts.append(Text(f"  {r.point.id}: cards {cards}; redisprep drill {r.point.drill}"))
    if reviewed:
        parts.append(Text(f"{len(reviewed)} card(s) are now due in 'redisprep quiz'."))
    parts.append(Text("\nWorking:", style="bold"))
    parts += [Text("  " + line) for line in (*grade.working, *grade.not_graded)]
    return Group(*parts)
