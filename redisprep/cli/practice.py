"""``redisprep practice list | start | check | hint``: graded exercises built on the drills' checks."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from redisprep.cli._context import AppContext
from redisprep.cli._errors import handle_errors
from redisprep.cli._options import ClusterOption, UrlOption

if TYPE_CHECKING:
    from redisprep.practice.catalog import Exercise
    from redisprep.practice.grade import GradeReport
    from redisprep.practice.spawn import Spawned
    from redisprep.practice.state import PracticeState

app = typer.Typer(
    help="Implement a pattern yourself; the grader runs the drill's checks against your code.\n\n"
    "Examples:\n\n"
    "\b\n"
    "    redisprep practice start leaderboard\n"
    "    redisprep practice check leaderboard\n"
    "    redisprep practice hint leaderboard",
    no_args_is_help=True,
)

NameArg = Annotated[
    str, typer.Argument(help="The exercise (see 'redisprep practice list').", show_default=False)
]


def _state() -> PracticeState:
    from redisprep.practice.state import PracticeState
    from redisprep.resources import user_data_dir

    return PracticeState(user_data_dir())


@app.command("list")
@handle_errors
def list_(ctx: typer.Context) -> None:
    """Show every exercise, its difficulty and your latest grade.

    Example:

    \b
        redisprep practice list
    """
    app_ctx: AppContext = ctx.obj
    from redisprep.practice.catalog import load_exercises
    from redisprep.render.practice import exercises_table

    exercises = load_exercises(app_ctx.data_dir)
    state = _state()
    results = {e.name: state.result(e.name) for e in exercises}
    app_ctx.console.print(exercises_table(exercises, results))


@app.command()
@handle_errors
def start(
    ctx: typer.Context,
    name: NameArg,
    directory: Annotated[Path, typer.Argument(help="Folder for your module and the task.")] = Path(
        "practice"
    ),
    force: Annotated[bool, typer.Option("--force", help="Overwrite files that are already there.")] = False,
) -> None:
    """Write a starter module (with TODOs) and the task README into DIRECTORY.

    Example:

    \b
        redisprep practice start rate-limit
    """
    app_ctx: AppContext = ctx.obj
    from redisprep.practice.catalog import get_exercise
    from redisprep.practice.workspace import start as write_starter

    exercise = get_exercise(name, app_ctx.data_dir)
    for path in write_starter(exercise, directory, force=force):
        app_ctx.console.print(f"wrote {path}")
    app_ctx.console.print(
        f"next: edit {directory / exercise.module}, then run "
        f"'redisprep practice check {name} --impl {directory / exercise.module}'"
    )


@app.command()
@handle_errors
def hint(ctx: typer.Context, name: NameArg) -> None:
    """Show the next hint for an exercise, one level at a time.

    Example:

    \b
        redisprep practice hint rate-limit
    """
    app_ctx: AppContext = ctx.obj
    from redisprep.practice.catalog import get_exercise
    from redisprep.render.practice import hint_panel

    exercise = get_exercise(name, app_ctx.data_dir)
    app_ctx.console.print(hint_panel(name, _state().next_hint(name, exercise.hints)))


@app.command()
@handle_errors
def check(
    ctx: typer.Context,
    name: NameArg,
    impl: Annotated[
        Path | None,
        typer.Option(help="Your module (default: practice/<exercise>.py, or <exercise>.py in this folder)."),
    ] = None,
    url: UrlOption = None,
    cluster: ClusterOption = False,
    seed: Annotated[int, typer.Option(help="Seed of the checks' random data.")] = 0,
    timeout: Annotated[
        float, typer.Option(min=0.5, help="Seconds one check may run before it fails.")
    ] = 10.0,
    only: Annotated[list[str] | None, typer.Option(help="Run only this check id (repeatable).")] = None,
    junit: Annotated[Path | None, typer.Option(help="Also write JUnit XML here.")] = None,
    json_file: Annotated[
        Path | None, typer.Option("--json", help="Also write Exercism results.json (v3) here.")
    ] = None,
    watch: Annotated[bool, typer.Option("--watch", help="Re-check whenever the module is saved.")] = False,
    cards: Annotated[
        bool,
        typer.Option(
            "--cards/--no-cards",
            help="Make the flashcards behind each failed check due in your next quiz (an Again review "
            "in your progress store); --no-cards leaves the store alone (CI).",
        ),
    ] = True,
) -> None:
    """Grade your module with the drill's checks; exit 0 only when every check passes.

    Your code runs in a contained child process and never sees a password: by default its commands
    go to a private redis-server started for the grade (or an embedded server when none is
    installed); with --url, to that server as a user of this run that may only touch its own keys.
    Exit code 5 when the server fails mid-grade (no grade is recorded).

    Examples:

    \b
        redisprep practice check leaderboard --impl practice/leaderboard.py
        redisprep practice check leaderboard --junit report.xml --json results.json
    """
    app_ctx: AppContext = ctx.obj
    from redisprep.cli import _watch
    from redisprep.practice.spawn import prestarted

    with prestarted(app_ctx.take_early_child()) as early:  # the grading child imports while the grader loads
        from redisprep.practice.grade_request import GradeRequest, grade_request, settle
        from redisprep.render.practice import grade_report
        from redisprep.run import Target

        request = GradeRequest.parse(
            name, impl, Target.resolve(url, cluster), data_dir=app_ctx.data_dir, seed=seed,
            timeout_s=timeout, only=tuple(only or ()), junit=junit, json_file=json_file,
        )  # fmt: skip

        def run(spawned: Spawned) -> bool:
            report = grade_request(request, spawned)
            app_ctx.console.print(grade_report(report))
            settle(request, report, _state())
            if cards and not report.passed:
                _follow_up(app_ctx, request.exercise, report)
            return report.passed

        passed = run(early)
    while watch:
        with prestarted() as early:  # the next grade's child imports while the learner edits
            _watch.wait_for_change(request.impl)
            passed = run(early)
    if not passed:
        raise typer.Exit(1)


@app.command()
@handle_errors
def watch(
    ctx: typer.Context,
    name: Annotated[
        str | None, typer.Argument(help="The exercise (default: the first one not yet passed).")
    ] = None,
    directory: Annotated[Path, typer.Option(help="Folder of your modules.")] = Path("practice"),
) -> None:
    """Re-grade your module on every save; show the first failing check and its pitfall.

    Keys: h shows the next hint, n moves to the next exercise, q quits.

    Example:

    \b
        redisprep practice watch leaderboard
    """
    app_ctx: AppContext = ctx.obj
    from redisprep.practice.spawn import prestart

    early = prestart()  # the first grade's child imports while the exercises load
    try:
        from redisprep.practice.catalog import get_exercise, load_exercises

        exercises = list(load_exercises(app_ctx.data_dir))
        state = _state()
        if name is None:
            pending = [e for e in exercises if not _passed(state.result(e.name))]
            index = exercises.index(pending[0]) if pending else 0
        else:
            index = exercises.index(get_exercise(name, app_ctx.data_dir))
    except BaseException:
        early.release()
        raise
    from redisprep.cli import _watch

    def follow_up(exercise: Exercise, report: GradeReport) -> None:
        _follow_up(app_ctx, exercise, report)

    _watch.watching(app_ctx, exercises, index, directory, early, state, follow_up)


def _follow_up(app_ctx: AppContext, exercise: Exercise, report: GradeReport) -> None:
    """Make the cards of the failed checks' promises due, and say so (a store error is a warning)."""
    from redisprep.practice.catalog import cards_for
    from redisprep.quiz.followup import make_due
    from redisprep.quiz.store import Store, StoreError, default_store_path

    wanted = cards_for(exercise, [c.id for c in report.checks if c.status == "fail"])
    if not wanted:
        return
    try:
        with Store(default_store_path()) as store:
            made = make_due(store, wanted, datetime.now(timezone.utc))
    except StoreError as exc:
        app_ctx.err_console.print(f"warning: {exc}; no card was made due")
        return
    already = len(wanted) - len(made)
    note = f" ({already} already waiting for review)" if already else ""
    app_ctx.console.print(
        f"{len(wanted)} flashcards teach what failed, due in your next quiz{note}: "
        f"redisprep quiz --drill {exercise.drill}"
    )


def _passed(result: dict[str, object] | None) -> bool:
    return result is not None and result.get("passed") == result.get("total") != 0
