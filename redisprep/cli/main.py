"""The root ``redisprep`` command: global options, the command groups, and the process entry point."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError

from redisprep import __version__
from redisprep.cli._context import EarlyStart
from redisprep.cli._lazy import Entry, lazy_group_class
from redisprep.signals import Stopped, install, interrupted

if TYPE_CHECKING:
    from redisprep.practice.spawn import Spawned

# The order `redisprep --help` lists them: learn, then measure, then tidy up. Each summary is the
# first paragraph of the command's own help (tests/test_cli_lazy.py holds them equal); a command's
# module is imported only when it runs (cli/_lazy.py).
COMMANDS = {
    "drill": Entry(
        "redisprep.cli.drill",
        "drill",
        "Run a drill: narrated steps, the naive version failing, the correct one holding.",
    ),
    "explain": Entry(
        "redisprep.cli.explain",
        "explain",
        "Explain one command: documented complexity, N and M for this call, the key's encoding before\n"
        "and after, the reply, latency and round trips.",
    ),
    "bench": Entry(
        "redisprep.cli.bench",
        "bench",
        "Measure what the server and a Python client can do, and the leaderboard at scale.",
    ),
    "size": Entry(
        "redisprep.cli.size",
        "size",
        "Estimate the memory a data set takes in Redis 7, with the working shown.",
    ),
    "clean": Entry(
        "redisprep.cli.clean",
        "clean",
        "Delete keys left by redisprep runs that were killed before they could clean up.",
    ),
    "quiz": Entry(
        "redisprep.cli.quiz",
        "app",
        "Flashcards you are about to forget, judged for real and scheduled with FSRS.",
    ),
    "practice": Entry(
        "redisprep.cli.practice",
        "app",
        "Implement a pattern yourself; the grader runs the drill's checks against your code.",
    ),
    "interview": Entry(
        "redisprep.cli.interview",
        "app",
        "A timed mock system-design interview whose answers are checked: your numbers, your memory "
        "estimate against redisprep's, your commands run on an embedded server, your choices in the deep "
        "dives. Missed points make their flashcards due.",
    ),
    "cluster": Entry(
        "redisprep.cli.cluster",
        "app",
        "Start, inspect and stop a local Redis Cluster; show which slot and node a key maps to.",
    ),
}

app = typer.Typer(
    name="redisprep",
    help="Get ready for Redis system-design interviews: run the patterns, see what each command "
    "costs, quiz yourself, and get graded.\n\n"
    "Progress is kept in $REDISPREP_HOME (default ~/.local/share/redisprep).\n\n"
    "Examples:\n\n"
    "\b\n"
    "    redisprep drill leaderboard\n"
    '    redisprep explain "ZADD lb 100 alice" --fill 128\n'
    "    redisprep quiz --limit 10\n"
    "    redisprep practice start rate-limit\n"
    "    redisprep drill all --quiet --url redis://localhost:6379",
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    # Plain help: typer's rich help imports rich.markdown and markdown_it (~45 ms), which would put
    # `redisprep --help` at 2.4x `import typer` instead of the 2x budget (make bench-startup).
    rich_markup_mode=None,
    # Plain values skip typer's pydantic converters (0.1 s per command; see cli/_coerce.py).
    cls=lazy_group_class(COMMANDS),
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"redisprep {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit."),
    ] = False,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            help="Read drills/ and flashcards/ from this folder instead of the shipped ones.",
            exists=True,
            file_okay=False,
            show_default=False,
        ),
    ] = None,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks instead of one-line errors.")
    ] = False,
    no_color: Annotated[bool, typer.Option("--no-color", help="Plain output without colours.")] = False,
) -> None:
    """Drills, explain mode, flashcards and graded practice for Redis."""
    from redisprep.cli._context import AppContext

    early = ctx.obj.child if isinstance(ctx.obj, EarlyStart) else None
    if ctx.obj is None or early is not None:
        ctx.obj = AppContext.default(no_color=no_color)
        ctx.obj.early_child = early
    ctx.obj.debug = debug
    ctx.obj.data_dir = data_dir


def main(argv: Sequence[str] | None = None, early: Spawned | None = None) -> None:
    """Console-script entry point: usage errors become one ``error:`` line and exit code 2.

    ``early``: the grading child :func:`redisprep.cli.main` started for ``practice check``, which
    the command takes over (the caller releases it afterwards, taken or not).
    """

    last_signal = install()  # SIGTERM and SIGHUP clean up like Ctrl-C
    try:
        obj = EarlyStart(early) if early is not None else None
        rv = app(args=argv, prog_name="redisprep", standalone_mode=False, obj=obj)
    except NoArgsIsHelpError as exc:  # `redisprep` or `redisprep cluster` alone: the help, as click shows it
        exc.show()
        sys.exit(exc.exit_code)
    except UsageError as exc:
        hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
        sys.stderr.write(f"error: {exc.format_message()}{hint}\n")
        sys.exit(exc.exit_code)
    except ClickException as exc:
        sys.stderr.write(f"error: {exc.format_message()}\n")
        sys.exit(exc.exit_code)

    from redisprep.cli._errors import REPORTED

    signum = last_signal()
    if rv == 130 and not REPORTED:
        # An interrupt before the command's own handling (while its options were parsed): typer
        # turns every one into a silent 130; say so, naming SIGTERM or SIGHUP with its own code.
        stop = Stopped(signum) if signum is not None else KeyboardInterrupt()
        stopped = interrupted(stop, "nothing had started")
        sys.stderr.write(f"error: {stopped}\n")
        sys.exit(int(stopped.exit_code))
    sys.exit(rv if isinstance(rv, int) else 0)
