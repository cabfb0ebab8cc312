"""Rich renderables for drill results: step panels, checks, figures, costs and interview questions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.panel import Panel
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from redisprep.drills.definition import DrillMeta
from redisprep.drills.model import (
    BarChart,
    CheckResult,
    DataTable,
    DrillReport,
    Figure,
    OperationCost,
    Question,
    StepResult,
)
from redisprep.explain.tracing import TracedCommand, summarize_reply
from redisprep.knowledge.commands import command_doc
from redisprep.render.text import bar_grid, plural, prose

if TYPE_CHECKING:
    from redisprep.explain.annotate import Annotation

MAX_TRACE_ROWS = 40


def check_line(check: CheckResult) -> Text:
    """One line per check: a mark, the title, the measured outcome, and the pitfall on failure."""
    if check.as_expected and check.passed:
        mark, style, note = "✔", "green", ""
    elif check.as_expected:
        mark, style, note = "✘", "yellow", " (naive variant: failing is the point)"
    else:
        mark, style, note = "✘", "bold red", " (UNEXPECTED)"
    line = Text(f"{mark} ", style=style)
    line.append(check.title, style="bold")
    line.append(f": {check.message}{note}")
    if check.pitfall and not check.passed:
        line.append(f"\n   pitfall: {check.pitfall}", style="dim")
    return line


def figure(fig: Figure) -> RenderableType:
    """A table or a bar chart."""
    if isinstance(fig, DataTable):
        table = Table(title=fig.title, title_justify="left", header_style="bold")
        for col in fig.columns:
            table.add_column(col)
        for row in fig.rows:
            table.add_row(*(_cell(v) for v in row))
        return table
    return bars(fig)


def bars(chart: BarChart, width: int = 40) -> RenderableType:
    """Horizontal bars scaled to the largest value."""
    grid = bar_grid(((label, value, f"{value:g}{chart.unit}") for label, value in chart.bars), width)
    return Group(Text(chart.title, style="italic"), grid)


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:g}" if abs(value) < 1e15 else f"{value:.0f}"
    return "" if value is None else str(value)


def trace_table(commands: Sequence[TracedCommand], limit: int = MAX_TRACE_ROWS) -> Table:
    """The commands a step sent, with round trip, time and documented complexity."""
    table = Table(title="commands sent", title_justify="left", header_style="bold", expand=False)
    for col, justify in (
        ("rt", "right"),
        ("command", "left"),
        ("reply", "left"),
        ("ms", "right"),
        ("complexity", "left"),
    ):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for cmd in commands[:limit]:
        doc = command_doc(cmd.name)
        args = " ".join(cmd.argv)
        table.add_row(
            str(cmd.round_trip),
            args if len(args) <= 60 else args[:59] + "…",
            cmd.error or summarize_reply(cmd.reply, 30),
            f"{cmd.duration_ms:.2f}",
            (doc.complexity or "") if doc else "",
        )
    if len(commands) > limit:
        table.caption = f"… and {len(commands) - limit} more commands"
    return table


def drill_heading(title: str, backend: str, width: int) -> list[RenderableType]:
    """A rule with the drill's title and backend; the backend on a line of its own when it would be cut."""

    if len(f"{title}  ({backend})") + 6 <= width:
        return [Rule(f"[bold]{escape(title)}[/]  ({escape(backend)})")]
    # a rule cuts a long title with "…": the backend goes on a line of its own
    return [Rule(f"[bold]{escape(title)}[/]"), Text(f"({backend})", style="dim", justify="center")]


def step_panel(
    index: int,
    total: int,
    result: StepResult,
    explain: bool = False,
    notes: Mapping[int, Annotation] | None = None,
) -> Panel:
    """A step as a panel: narration, figures, checks, and with ``explain`` the commands it sent.

    With ``notes`` (explain mode's annotations) the commands are collapsed per kind and annotated
    with N, M, work and encodings; without, they are listed one per line.
    """
    parts: list[RenderableType] = [prose(p) for p in result.outcome.narration]
    if result.outcome.skipped:
        parts.append(Text(f"skipped: {result.outcome.skipped}", style="yellow"))
    parts.extend(figure(f) for f in result.outcome.figures)
    parts.extend(check_line(c) for c in result.outcome.checks)
    if explain and result.commands:
        if notes is not None:
            from redisprep.render.explain import step_trace

            parts.append(step_trace(result.commands, notes))
        else:
            parts.append(trace_table(result.commands))
    border = "green" if result.ok else "red"
    return Panel(
        Group(*_spaced(parts)),
        title=f"[bold]{index}/{total}  {result.title}[/]",
        title_align="left",
        border_style=border,
        subtitle=f"{plural(len(result.commands), 'command')}, {result.duration_ms:.0f} ms",
        subtitle_align="right",
    )


def _spaced(parts: Iterable[RenderableType]) -> list[RenderableType]:
    out: list[RenderableType] = []
    for p in parts:
        if out:
            out.append(Text(""))
        out.append(p)
    return out


def costs_table(costs: Sequence[OperationCost]) -> Table:
    """Per logical operation: commands, round trips and documented complexity."""
    table = Table(
        title="what each operation cost (measured from the trace)",
        title_justify="left",
        header_style="bold",
    )
    table.add_column("operation", overflow="fold")  # names wrap, never end in "…"
    table.add_column("commands", overflow="fold")
    table.add_column("cmds /op", justify="right")
    table.add_column("round trips /op", justify="right")
    table.add_column("complexity (Redis docs)")
    for c in costs:
        table.add_row(
            c.operation,
            ", ".join(c.commands),
            f"{c.commands_per_call:g}",
            f"{c.round_trips_per_call:g}",
            "\n".join(c.complexity),
        )
    return table


def questions_panel(questions: Sequence[Question]) -> Panel:
    """Interview questions with the points of a strong answer."""
    body = Text()
    for i, q in enumerate(questions, 1):
        if i > 1:
            body.append("\n")
        body.append(f"{i}. {q.question}\n", style="bold")
        for point in q.points:
            body.append(f"   • {point}\n")
    return Panel(body, title="[bold]interview questions to rehearse[/]", title_align="left")


def summary(report: DrillReport) -> RenderableType:
    """Costs, questions, the verdict, the quiz that keeps this drill's facts, and a closing line."""
    checks = report.checks
    unexpected = [c for c in checks if not c.as_expected]
    verdict = (
        Text(f"✔ all {len(checks)} checks came out as expected", style="bold green")
        if not unexpected
        else Text(f"✘ {len(unexpected)} of {len(checks)} checks did not hold", style="bold red")
    )
    cards = Text.assemble("Keep the facts: ", (f"redisprep quiz --drill {report.name}", "bold"))
    footer = Text(
        f"{report.name} on {report.backend}, seed {report.seed}: {report.duration_ms:.0f} ms; "
        f"removed the run's {report.keys_removed} keys",
        style="dim",
    )
    costs = (costs_table(report.costs), Text("")) if report.costs else ()  # nothing traced: no table
    return Group(*costs, questions_panel(report.questions), verdict, cards, footer)


def catalog_table(metas: Sequence[DrillMeta], group_titles: dict[str, str]) -> Table:
    """``drill list``: drills grouped by kind."""
    table = Table(header_style="bold", show_lines=False)
    table.add_column("drill", style="bold cyan")
    table.add_column("what it shows")
    for group, title in group_titles.items():
        members = [m for m in metas if m.group == group]
        if not members:
            continue
        table.add_row(Text(title, style="bold underline"), "")
        for m in members:
            table.add_row(m.name, Text(m.title, style="bold") + Text(f"\n{m.summary}"))
    return table


@dataclass(frozen=True, slots=True)
class DrillLine:
    """One drill's row in the ``drill all`` table (small and picklable: it crosses from a worker)."""

    name: str
    ok: bool
    expected: int
    """Checks that came out as the drill expects (a naive variant failing counts as expected)."""
    checks: int
    round_trips: float | None
    """Round trips per logical operation, over every traced operation (None when none was)."""
    seconds: float

    @classmethod
    def of(cls, report: DrillReport) -> DrillLine:
        """The line of a finished run."""
        checks = report.checks
        calls = sum(c.calls for c in report.costs)
        trips = sum(c.round_trips_per_call * c.calls for c in report.costs)
        per_op = trips / calls if calls else None
        expected = sum(c.as_expected for c in checks)
        return cls(report.name, report.ok, expected, len(checks), per_op, report.duration_ms / 1000)


def drills_table(lines: Sequence[DrillLine]) -> Table:
    """The end of ``drill all``: one row per drill; names are never cut (they wrap last)."""
    table = Table(title="drills run", header_style="bold", title_justify="left")
    table.add_column("drill", style="bold cyan", no_wrap=True)
    table.add_column("checks as expected", justify="right")
    table.add_column("round trips / op", justify="right")
    table.add_column("seconds", justify="right")
    for line in lines:
        mark = Text("✔ ", style="green") if line.ok else Text("✘ ", style="bold red")
        trips = "-" if line.round_trips is None else f"{line.round_trips:.2f}"
        table.add_row(mark + line.name, f"{line.expected}/{line.checks}", trips, f"{line.seconds:.1f}")
    passed = sum(line.ok for line in lines)
    table.caption = f"{passed} of {len(lines)} drills came out as expected"
    return table
