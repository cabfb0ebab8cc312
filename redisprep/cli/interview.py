"""``redisprep interview list | lint | run SCENARIO``: a staged mock system-design interview, graded."""

from __future__ import annotations

import io
import json
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from redisprep.cli._context import AppContext
from redisprep.cli._errors import handle_errors
from redisprep.cli._options import JsonOption
from redisprep.errors import BadUsageError, DataFormatError, ExitCode, RedisprepError

if TYPE_CHECKING:
    from redisprep.interview.answers import Answers
    from redisprep.interview.model import Scenario


class _ScenarioGroup(TyperGroup):
    """``redisprep interview leaderboard`` means ``redisprep interview run leaderboard``."""

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        if args and not args[0].startswith("-") and args[0] not in self.commands:
            args = ["run", *args]
        return super().resolve_command(ctx, args)


app = typer.Typer(
    name="interview",
    cls=_ScenarioGroup,
    help="A timed mock system-design interview whose answers are checked: your numbers, your memory "
    "estimate against redisprep's, your commands run on an embedded server, your choices in the deep "
    "dives. Missed points make their flashcards due.\n\n"
    "Examples:\n\n"
    "\b\n"
    "    redisprep interview list\n"
    "    redisprep interview leaderboard\n"
    "    redisprep interview run leaderboard --minutes 30\n"
    "    redisprep interview run leaderboard --answers examples/interviews/leaderboard-weak.yaml\n"
    "    redisprep interview lint",
    no_args_is_help=True,
)


def _dirs(app_ctx: AppContext) -> tuple[Path, Path, Path]:
    from redisprep import resources

    d = app_ctx.data_dir
    return resources.interviews_dir(d), resources.flashcards_dir(d), resources.drills_dir(d)


@app.command("list")
@handle_errors
def list_(ctx: typer.Context, json_out: JsonOption = False) -> None:
    """The interview scenarios.

    Example:

    \b
        redisprep interview list --json
    """
    app_ctx: AppContext = ctx.obj
    from redisprep.interview.catalog import list_scenarios
    from redisprep.render.interview import scenario_table

    scenarios = list_scenarios(_dirs(app_ctx)[0])
    if json_out:
        rows = [
            {"scenario": s.id, "title": s.title, "minutes": s.minutes, "points": len(s.points)}
            for s in scenarios
        ]
        app_ctx.console.print_json(json.dumps(rows))
        return
    app_ctx.console.print(scenario_table(scenarios))


@app.command("lint")
@handle_errors
def lint(
    ctx: typer.Context,
    path: Annotated[
        Path | None,
        typer.Argument(help="A folder of scenarios (default: the shipped ones).", show_default=False),
    ] = None,
) -> None:
    """Check scenarios: fields, stages, and that every card, drill, judge and rule they name exists.

    Problems are printed as file:line: problem; the exit code is 3 when there is any.

    Example:

    \b
        redisprep interview lint
    """
    app_ctx: AppContext = ctx.obj
    from redisprep.interview.catalog import lint as run_lint
    from redisprep.render.interview import lint_view

    shipped, cards, drills = _dirs(app_ctx)
    report = run_lint(path or shipped, cards, drills)
    app_ctx.console.print(lint_view(report), soft_wrap=True, highlight=False)
    if not report.ok:
        raise typer.Exit(int(ExitCode.DATA))


@app.command("run")
@handle_errors
def run(
    ctx: typer.Context,
    scenario: Annotated[str, typer.Argument(help="The scenario (see 'interview list').", show_default=False)],
    answers: Annotated[
        Path | None,
        typer.Option("--answers", help="Play a recorded candidate (YAML) instead of asking.", metavar="FILE"),
    ] = None,
    json_out: JsonOption = False,
    export: Annotated[
        str | None,
        typer.Option(
            "--export",
            help="Print the interview as md (Markdown), html or svg (the rubric as shown) instead.",
            metavar="md|html|svg",
        ),
    ] = None,
    minutes: Annotated[
        float | None, typer.Option("--minutes", min=1, help="Total time budget [default: 45].", metavar="N")
    ] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Continue the last unfinished interview.")] = False,
    review: Annotated[
        bool, typer.Option("--review/--no-review", help="Make the cards of missed points due in the quiz.")
    ] = True,
    pass_mark: Annotated[
        int | None,
        typer.Option("--pass-mark", min=0, max=100, help="Exit 1 below this score (%).", metavar="P"),
    ] = None,
) -> None:
    """A timed mock interview: requirements, estimate, data model, deep dives, rubric.

    With --answers the recorded candidate is graded without questions; without it each stage is
    asked on the terminal with its time left (Ctrl-C keeps the stages answered: --resume goes on).
    The data model's commands run on an embedded server the interview starts for itself, never on
    --url or $REDISPREP_URL. Missed points make their cards due in 'redisprep quiz' (--no-review:
    not). The interview is saved in the user data folder.

    Exit codes: 0 graded, 1 below --pass-mark (or input ended early), 2 unknown scenario or bad
    option, 3 malformed scenario or answers file, 130 interrupted.

    Examples:

    \b
        redisprep interview run leaderboard
        redisprep interview run leaderboard --minutes 30
        redisprep interview run leaderboard --answers examples/interviews/leaderboard-strong.yaml --json
        redisprep interview run ticket-reservation --answers my.yaml --export md > interview.md
        redisprep interview run product-cache --answers my.yaml --export html > interview.html
    """
    app_ctx: AppContext = ctx.obj
    from redisprep.interview import transcript
    from redisprep.interview.answers import parse_answers
    from redisprep.interview.catalog import load_scenario
    from redisprep.interview.followup import make_due
    from redisprep.interview.grade import grade
    from redisprep.quiz.store import default_store_path
    from redisprep.render.interview import grade_view

    if export not in (None, "md", "html", "svg"):
        raise BadUsageError(f"--export takes md, html or svg, not {export!r}")
    chosen = load_scenario(*_place(_dirs(app_ctx), scenario))
    now = datetime.now(timezone.utc)
    path = transcript.new_path(chosen.id, now)
    if answers is not None:
        doc, given = _recorded(answers, chosen)
    else:
        path, doc = _interactive(app_ctx, chosen, minutes, resume, path)
        given = parse_answers(doc, "your answers")
    result = grade(chosen, given)
    saved = transcript.save(path, chosen.id, doc, result, "done", now)
    reviewed = make_due(result, default_store_path(), now) if review else ()
    if json_out:
        out = {**result.as_dict(), "reviewed": list(reviewed), "transcript": str(saved)}
        app_ctx.console.print_json(json.dumps(out))
    elif export == "md":
        app_ctx.console.print(transcript.markdown(result, doc), markup=False, highlight=False, soft_wrap=True)
    elif export is not None:
        app_ctx.console.print(
            _recorded_view(grade_view(result, reviewed), export), markup=False, soft_wrap=True
        )
    else:
        app_ctx.console.print(grade_view(result, reviewed))
        app_ctx.console.print(f"saved: {saved}", markup=False, highlight=False, soft_wrap=True)
    if pass_mark is not None and result.score * 100 < pass_mark:
        raise typer.Exit(int(ExitCode.FAILED))


def _recorded_view(view: Any, kind: str) -> str:
    """``view`` as rich's console recording exports it (HTML or SVG), 100 columns wide."""
    from rich.console import Console

    recorder = Console(record=True, width=100, file=io.StringIO())
    recorder.print(view)
    if kind == "svg":
        return recorder.export_svg(title="redisprep interview")
    return recorder.export_html()


def _place(dirs: tuple[Path, Path, Path], name: str) -> tuple[Path, str, Path, Path]:
    return dirs[0], name, dirs[1], dirs[2]


def _recorded(path: Path, scenario: Scenario) -> tuple[dict[str, Any], Answers]:
    from redisprep._yaml import line_of_key, load_yaml
    from redisprep.interview.answers import parse_answers

    doc = load_yaml(path)
    given = parse_answers(doc, str(path))
    if given.scenario != scenario.id:
        raise DataFormatError(str(path), line_of_key(doc, "scenario"), f"answers are for {given.scenario!r}")
    return dict(doc), given


def _interactive(
    app_ctx: AppContext, scenario: Scenario, minutes: float | None, resume: bool, path: Path
) -> tuple[Path, dict[str, Any]]:
    from redisprep.cli._interview_io import InterviewTerminal
    from redisprep.interview import transcript
    from redisprep.interview.session import InterviewSession

    start, doc = "requirements", None
    if resume:
        found = transcript.latest_partial(scenario.id)
        if found is None:
            raise BadUsageError(f"no unfinished {scenario.id} interview to resume")
        path, data = found
        start, doc = str(data.get("stage")), data["answers"]
        kept = data.get("minutes")
        minutes = minutes or (float(kept) if isinstance(kept, int | float) and kept > 0 else None)
    session = InterviewSession(scenario, InterviewTerminal(app_ctx.console, sys.stdin), _now, minutes, doc)
    reached = [start]

    def keep(so_far: dict[str, Any], next_stage: str) -> None:
        reached[0] = next_stage
        transcript.save(path, scenario.id, so_far, None, next_stage, _now(), minutes)

    try:
        return path, session.run(start, keep)
    except (KeyboardInterrupt, EOFError) as exc:
        transcript.save(path, scenario.id, session.doc, None, reached[0], _now(), minutes)
        app_ctx.err_console.print(
            f"partial interview saved to {path}; "
            f"continue with: redisprep interview run {scenario.id} --resume",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        if isinstance(exc, EOFError):
            raise RedisprepError(f"input ended during the {reached[0]} stage") from None
        raise


def _now() -> datetime:
    return datetime.now(timezone.utc)
