"""Rich renderables for explain mode: one explained command, a step's commands collapsed, a run summary."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from redisprep.explain.annotate import Annotation, KeyChange, Letter, ScriptCost
from redisprep.explain.memory import score_text
from redisprep.explain.one_command import Explanation
from redisprep.explain.summary import RUN_PREFIX, Row, RunSummary, change_sentence, step_rows
from redisprep.explain.summary import shorten as shown
from redisprep.explain.tracing import TracedCommand, summarize_reply

MAX_ROWS = 25
#: Error replies are fakeredis's own: where Redis answers differently is listed, with each caveat, in
#: tests/test_embedded_differences.py.
EMBEDDED_ERROR = "error reply from the embedded fakeredis: Redis may word it differently, or not fail"
MAX_REPLY_LINES = 12
SOURCES = {
    "read": "encoding and memory read from the server (OBJECT ENCODING, MEMORY USAGE)",
    "modelled": "encoding and memory modelled from the thresholds of the imitated Redis version "
    "(the embedded server has no OBJECT ENCODING or MEMORY USAGE)",
    "predicted": "after-state predicted by the model (the command was not run)",
}


def _work(note: Annotation) -> str:
    if note.formula == "1":
        return "constant: O(1) whatever the sizes"
    if note.work is None:
        return "not measurable for this call" if note.formula else ""
    text = f"≈ {note.work:,.0f}" if note.work >= 10 else f"≈ {note.work:.3g}"
    if note.formula:
        return f"{note.formula} = {note.filled_formula} {text} steps (constants ignored)"
    return f"{text} steps: {note.work_note}" if note.work_note else text


def _letters(letters: Sequence[Letter]) -> Text:
    out = Text()
    for i, letter in enumerate(letters):
        if i:
            out.append("\n")
        value = "?" if letter.value is None else f"{letter.value:,}"
        out.append(f"{letter.name} = {value}", style="bold")
        out.append(f"  {RUN_PREFIX.sub('', letter.meaning)}", style="dim")
    return out


def _key_lines(change: KeyChange) -> Text:
    b, a = change.before, change.after
    if a == b:
        return Text(f"unchanged: {b.describe()}")
    out = Text(f"before: {b.describe()}\n")
    after = "not predicted" if a.not_predicted else a.describe()
    out.append(f"after:  {after}")
    if change.converted:
        out.append(f"   converted {b.encoding} -> {a.encoding}", style="bold yellow")
        if b.memory and a.memory:
            out.append(f", memory x{a.memory / b.memory:.1f}", style="bold yellow")
    return out


def format_reply(reply: Any, error: str | None) -> Text:
    """A reply the way redis-cli prints it (lists numbered, nil, integers), cut to a few lines."""
    if error:
        return Text(f"(error) {error.split(': ', 1)[-1]}", style="red")
    if isinstance(reply, bool):
        return Text(f"(integer) {int(reply)}")
    if isinstance(reply, int):
        return Text(f"(integer) {reply}")
    if reply is None:
        return Text("(nil)")
    if isinstance(reply, list | tuple):
        if not reply:
            return Text("(empty array)")
        if all(isinstance(x, list | tuple) and len(x) == 2 for x in reply):  # redis-py pairs: flatten
            reply = [_scalar(v) for pair in reply for v in pair]
        lines = [f"{i}) {summarize_reply(item, 70)}" for i, item in enumerate(reply[:MAX_REPLY_LINES], 1)]
        if len(reply) > MAX_REPLY_LINES:
            lines.append(f"… {len(reply) - MAX_REPLY_LINES} more")
        return Text("\n".join(lines))
    return Text(summarize_reply(reply, 200))


def _scalar(value: Any) -> Any:
    return score_text(value) if isinstance(value, float) else value


def explanation(expl: Explanation) -> RenderableType:
    """``redisprep explain``: one command, everything explain knows about it."""
    note = expl.note
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold cyan", no_wrap=True)
    grid.add_column()
    grid.add_row("command", Text(note.name, style="bold") + Text(f"  {note.summary or '(no summary)'}"))
    if note.complexity is not None or note.doc_source:
        grid.add_row(
            "complexity", Text(note.complexity or "not documented") + Text(f"\n({note.doc_source})", "dim")
        )
    else:
        grid.add_row("complexity", Text("not documented (no COMMAND DOCS entry)", style="dim"))
    if note.deprecation:
        grid.add_row("deprecated", Text(note.deprecation, style="bold yellow"))
    if note.letters:
        grid.add_row("this call", _letters(note.letters))
    if _work(note):
        grid.add_row("work", _work(note))
    for cost in note.script:
        grid.add_row(f"script line {cost.line}", _script_line(cost))
    for change in note.keys:
        label = f"{change.key} (the copy)" if expl.ran_on else change.key
        grid.add_row(f"key {label}", _key_lines(change))
    if expl.ran_on:
        grid.add_row("ran on", Text(expl.ran_on, style="bold"))
        for line in expl.changes:
            grid.add_row("changed", line)
        for line in expl.notes:
            grid.add_row("note", Text(line, style="dim"))
    if expl.user_reads is not None:
        grid.add_row("your server", f"received only explain's own reads: {expl.user_reads}")
    if expl.executed:
        grid.add_row("reply", format_reply(expl.reply, expl.error))
        grid.add_row("latency", f"{expl.latency_ms or 0:.3f} ms, {expl.round_trips} round trip")
    else:
        grid.add_row("not run", Text(expl.why_not_run or "", style="yellow"))
    notes = [SOURCES[expl.state_source]] if note.keys else []
    if note.keys and not expl.executed and note.keys[0].after.source == "predicted":
        notes.append(SOURCES["predicted"])
    if any(k.before.source == "read" for k in note.keys) and expl.executed:
        notes.append("MEMORY USAGE samples 5 elements of big collections, as redis-cli does")
    if expl.error and expl.backend.startswith("embedded"):
        notes.append(EMBEDDED_ERROR)
    footer = Text("\n".join(notes), style="dim")
    title = Text(shown(expl.argv, 100))
    return Panel(
        Group(grid, footer) if notes else grid, title=title, title_align="left", subtitle=expl.backend
    )


def _script_line(cost: ScriptCost) -> Text:
    if cost.command is None:
        return Text("a command named at run time (cannot be read)", style="dim")
    out = Text(cost.command, style="bold") + Text(f"  {cost.complexity or 'not documented'}")
    known = [x for x in cost.letters if x.value is not None]
    if known:
        out.append("\n" + ", ".join(f"{x.name} = {x.value:,} ({x.meaning})" for x in known), style="dim")
    return out


def step_trace(commands: Sequence[TracedCommand], notes: Mapping[int, Annotation]) -> RenderableType:
    """A step's commands, one row per command and operation, with N/M ranges and encodings."""
    rows = step_rows(commands, notes)
    table = Table(title="commands sent, explained", title_justify="left", header_style="bold", expand=False)
    for col, justify in (
        ("×", "right"),
        ("command", "left"),
        ("rt", "right"),
        ("N, M …", "left"),
        ("≈ work", "right"),
        ("encoding", "left"),
        ("ms", "right"),
    ):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for row in rows[:MAX_ROWS]:
        _add_row(table, row)
    if len(rows) > MAX_ROWS:
        table.caption = f"… and {len(rows) - MAX_ROWS} more kinds of command"
    return Group(table, _legend(rows))


def _add_row(table: Table, row: Row) -> None:
    tags = [k for k in row.kinds if k != "command"]
    example = shown(row.example)
    label = Text(f"[{'/'.join(tags)}] " if tags else "", style="magenta") + Text(example)
    if row.operation and not row.operation.startswith("check:"):
        label = Text(f"{row.operation}: ", style="italic") + label
    if row.errors:
        label.append(f"  ({row.errors} failed)", style="red")
    work = "" if row.work is None else _range(row.work[0], row.work[1])
    table.add_row(
        str(row.calls),
        label,
        str(row.round_trips),
        " ".join(x.text() for x in row.letters),
        work,
        " -> ".join(row.encodings),
        f"{row.median_ms:.2f}",
    )
    for cost in row.script:
        letters = " ".join(f"{x.name}={'?' if x.value is None else x.value}" for x in cost.letters)
        work = "" if cost.work is None else f"{cost.work:.3g}"
        table.add_row(
            "",
            Text(f"  ↳ {cost.command or '(computed)'} (script line {cost.line})", "dim"),
            "",
            letters,
            work,
            "",
            "",
        )


def _number(value: float, big: bool) -> str:
    return f"{value:,.0f}" if big else f"{value:.3g}"


def _range(low: float, high: float) -> str:
    big = high >= 10
    if round(low, 1) == round(high, 1):
        return _number(low, big)
    return f"{_number(low, big)}..{_number(high, big)}"


def _legend(rows: Sequence[Row]) -> Text:
    out = Text()
    if any(k != "command" for row in rows for k in row.kinds):
        out.append(
            "[pipeline]/[transaction]: keys are read around the whole round trip, so N is the size "
            "before the batch\n",
            style="dim",
        )
    if any(RUN_PREFIX.search(a) for row in rows for a in row.example):
        out.append("keys are shown without the run's prefix redisprep:<run id>:\n", style="dim")
    seen: set[str] = set()
    for row in rows:
        for name, complexity in [(row.name, row.complexity)] + [
            (c.command, c.complexity) for c in row.script
        ]:
            if name is None or name in seen:
                continue
            seen.add(name)
            out.append(f"{name}: ", style="bold")
            out.append(f"{complexity or 'not documented'}\n", style="dim")
        if row.deprecation and f"!{row.name}" not in seen:
            seen.add(f"!{row.name}")
            out.append(f"⚠ {row.name} is {row.deprecation}\n", style="yellow")
    out.rstrip()
    return out


def run_summary(summary: RunSummary, max_changes: int = 8) -> RenderableType:
    """Totals, the costliest and slowest commands, every encoding change and deprecated commands."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold cyan", no_wrap=True)
    grid.add_column()
    grid.add_row("sent", f"{summary.commands:,} commands in {summary.round_trips:,} round trips")
    if summary.costliest is not None and summary.costliest_command is not None:
        c = summary.costliest
        batch = " (sent in a batch: N is the size before the batch)" if c.batched else ""
        grid.add_row(
            "costliest", Text(shown(c.argv, 90), style="bold") + Text(f"\n{_work(c)}{batch}", style="dim")
        )
    if summary.slowest is not None:
        s = summary.slowest
        grid.add_row("slowest", Text(shown(s.argv, 90), style="bold") + Text(f"  {s.duration_ms:.2f} ms"))
    if summary.changes:
        lines = [RUN_PREFIX.sub("", change_sentence(ch)) for ch in summary.changes[:max_changes]]
        if len(summary.changes) > max_changes:
            lines.append(f"… and {len(summary.changes) - max_changes} more")
        grid.add_row("encodings", "\n".join(lines))
    else:
        grid.add_row("encodings", "no key changed encoding")
    for name, text, count in summary.deprecated:
        grid.add_row("deprecated", Text(f"{name} ×{count}: {text}", style="yellow"))
    footer = Text(SOURCES[summary.source], style="dim")
    return Panel(Group(grid, footer), title="[bold]explain: what the run cost[/]", title_align="left")
