"""Rich renderables for the quiz: cards, judgements, rating menus, session summaries, stats and lint."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from redisprep.quiz.judge import Judgement
from redisprep.quiz.lint import LintReport
from redisprep.quiz.planner import QueueItem
from redisprep.quiz.scheduler import Rating
from redisprep.quiz.session import Progress, SessionSummary
from redisprep.quiz.stats import Stats
from redisprep.quiz.versions import applies
from redisprep.release import EMBEDDED, Release
from redisprep.render.text import bar_grid, prose

_REASON_STYLE = {"new": "cyan", "due": "yellow", "cram": "magenta", "again": "red"}
BAR_WIDTH = 30


def interval(delta: timedelta) -> str:
    """A short human interval: ``<1m``, ``10m``, ``5h``, ``3d``, ``2.5mo``, ``1.2y``."""
    minutes = delta.total_seconds() / 60
    if minutes < 1:
        return "<1m"
    if minutes < 60:
        return f"{minutes:.0f}m"
    if minutes < 60 * 24:
        return f"{minutes / 60:.0f}h"
    days = minutes / (60 * 24)
    if days < 30:
        return f"{days:.0f}d"
    if days < 365:
        return f"{days / 30:.1f}mo"
    return f"{days / 365:.1f}y"


def progress_bar(progress: Progress, width: int = 20) -> Text:
    """``━━━━━─────── 3/12  ✔ 2 ✘ 0``."""
    done = round(width * (progress.position - 1) / max(progress.total, 1))
    bar = Text("━" * done, style="green")
    bar.append("─" * (width - done), style="dim")
    bar.append(f" {progress.position}/{progress.total}  ")
    bar.append(f"✔ {progress.right} ", style="green")
    bar.append(f"✘ {progress.wrong}", style="red")
    return bar


def card_panel(
    item: QueueItem, progress: Progress, choices: Sequence[str], release: Release = EMBEDDED
) -> Panel:
    """The question side of a card, with the session's progress underneath.

    Args:
        release: The server the learner prepares for (``quiz --url``; Redis 7.0 by default): a card
            about a later release says so, and version-dependent questions name the release.
    """
    card = item.card
    parts: list[RenderableType] = [prose(card.front)]
    if not applies(card, release):
        since = Release.parse(card.since or "")
        parts.append(Text(f"(about {since.name}+; {release.name} does not have it)", style="yellow"))
    if card.setup:
        setup = Text("\n".join(f"redis> {line}" for line in card.setup), style="dim")
        parts += [Text("the server already ran:", style="italic"), setup]
    on = release.name if release != EMBEDDED else "Redis 7.0"
    if card.kind == "predict" and card.predict == "reply":
        question = f"What does {on} reply?" if card.answers else "What does it reply?"
        parts.append(Text(f"redis> {card.command}\n{question}", style="bold"))
    elif card.kind == "predict" and card.predict == "encoding":
        parts.append(Text(f"redis> OBJECT ENCODING {card.key}\nWhat does {on} reply?", style="bold"))
    elif card.kind == "predict" and card.predict == "complexity":
        parts.append(Text(f"What is the documented complexity of {card.command}?", style="bold"))
    if choices:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(justify="right", style="bold")
        grid.add_column()
        for i, choice in enumerate(choices, 1):
            grid.add_row(f"  {i})", prose(choice))
        parts.append(grid)
    kind = f"{card.kind} {card.predict}" if card.predict else card.kind
    reason = Text(item.reason, style=_REASON_STYLE.get(item.reason, ""))
    title = Text.assemble((f"{card.deck}", "bold"), f" · {kind} · ", reason)
    return Panel(
        Group(*parts),
        title=title,
        title_align="left",
        subtitle=progress_bar(progress),
        subtitle_align="right",
    )


def hint(item: QueueItem, choices: Sequence[str], interactive: bool) -> str:
    """What the learner is expected to do now."""
    card = item.card
    stop = "q to stop" if interactive else "end of input stops"
    if card.kind == "basic":
        return f"think of the answer, then press a key to reveal ({stop})"
    if choices:
        return f"choose 1-{len(choices)} ({stop})"
    stop = "Ctrl-D to stop" if interactive else "end of input stops"
    if card.kind == "command":
        stop = "q or Ctrl-D to stop" if interactive else "q or end of input stops"
        return f"type a Redis command; it runs on a fresh embedded server ({stop})"
    return f"type your answer ({stop})"


def reveal_view(item: QueueItem) -> RenderableType:
    """The back of a basic card and its explanation."""
    card = item.card
    parts: list[RenderableType] = [Text("answer", style="bold underline"), prose(card.back or "")]
    return Group(*parts, *_explain(item))


def _explain(item: QueueItem) -> list[RenderableType]:
    card = item.card
    out: list[RenderableType] = [Text("why: ", style="bold") + prose(card.explanation)]
    if card.drill:
        out.append(Text(f"see it run: redisprep drill {card.drill}", style="dim"))
    return out


def judgement_view(item: QueueItem, judgement: Judgement) -> RenderableType:
    """Right or wrong, what the command replied, what did not hold, the answer and why."""
    card = item.card
    parts: list[RenderableType] = []
    if judgement.reply is not None:
        parts.append(Text(judgement.reply, style="dim"))
    mark = Text("✔ right", style="bold green") if judgement.correct else Text("✘ wrong", style="bold red")
    parts.append(mark)
    parts.extend(Text(f"  {reason}", style="red") for reason in judgement.reasons)
    label = "a model answer" if card.kind == "command" else "answer"
    if card.kind == "command" or not judgement.correct:
        parts.append(Text(f"{label}: ", style="bold") + prose(judgement.expected))
    return Group(*parts, *_explain(item))


def rating_menu(preview: dict[Rating, datetime], now: datetime) -> Text:
    """``1 Again <1m │ 2 Hard 6m │ 3 Good 10m │ 4 Easy 8d``: what each rating would schedule."""
    styles = {Rating.AGAIN: "red", Rating.HARD: "yellow", Rating.GOOD: "green", Rating.EASY: "cyan"}
    out = Text()
    for rating, due in preview.items():
        if out:
            out.append(" │ ", style="dim")
        out.append(f"{int(rating)} {rating.name.title()} ", style=f"bold {styles[rating]}")
        out.append(interval(due - now))
    return out


def scheduled_line(rating: Rating, due: datetime | None, now: datetime) -> Text:
    """After a review: the rating and when the card comes back."""
    if due is None:
        return Text(f"{rating.name.title()} (cram: not recorded)", style="dim")
    return Text(f"{rating.name.title()}: next review in {interval(due - now)}", style="dim")


def summary_view(summary: SessionSummary, now: datetime) -> Text:
    """The closing line of a session."""
    if not summary.shown:
        stopped = "stopped before the first answer: nothing recorded"
        return Text(stopped if summary.quit_early else "nothing to review now", style="bold")
    text = Text(f"{summary.shown} reviewed", style="bold")
    graded = summary.right + summary.wrong
    if graded:
        text.append(f", {summary.right} of {graded} auto-graded answers right")
    if summary.cram:
        text.append("; cram: nothing recorded")
    elif summary.next_due is not None:
        text.append(f"; next card due in {interval(summary.next_due - now)}")
    if summary.quit_early:
        text.append(" (stopped early)")
    return text


def stats_view(stats: Stats) -> RenderableType:
    """Counts, retention, and the 14-day forecast as bars."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column(justify="right")
    retention = (
        f"{stats.retention:.0%} of {stats.retention_reviews} reviews"
        if stats.retention is not None
        else "n/a"
    )
    graded = f"{stats.right_today} of {stats.graded_today} right" if stats.graded_today else "none"
    for label, value in (
        ("due now", str(stats.due_now)),
        ("due today", str(stats.due_today)),
        ("new (never seen)", f"{stats.new} of {stats.cards} cards"),
        ("reviews today", str(stats.reviews_today)),
        ("auto-graded today", graded),
        ("reviews in all", str(stats.reviews_total)),
        ("retention (30 days)", retention),
    ):
        table.add_row(label, value)
    return Group(table, Text(""), forecast_bars(stats))


def forecast_bars(stats: Stats, width: int = BAR_WIDTH) -> RenderableType:
    """One bar per day: how many cards fall due."""
    rows = (
        ("today" if i == 0 else day.strftime("%a %d %b"), count, str(count))
        for i, (day, count) in enumerate(stats.forecast)
    )
    grid = bar_grid(rows, width, label_justify="left")
    return Group(Text("due in the next 14 days", style="italic"), grid)


def lint_view(report: LintReport) -> Text:
    """``file:line: problem`` lines, then a count."""
    out = Text()
    for problem in report.problems:
        out.append(f"{problem}\n")
    if report.ok:
        out.append(
            f"{_count(report.files, 'file')}, {_count(report.cards, 'card')}: no problems", style="green"
        )
    else:
        out.append(
            f"{_count(len(report.problems), 'problem')} in {_count(report.files, 'file')}", style="bold red"
        )
    return out


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
