"""The root ``redisprep`` command: global options, the command groups, and the process entry point."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer
from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError

from redisprep import __version__
from redisprep.cli import bench as _bench
from redisprep.cli import clean as _clean
from redisprep.cli import cluster as _cluster
from redisprep.cli import drill as _drill
from redisprep.cli import explain as _explain
from redisprep.cli import interview as _interview
from redisprep.cli import practice as _practice
from redisprep.cli import quiz as _quiz
from redisprep.cli import size as _size
from redisprep.cli._coerce import group_class
from redisprep.cli._context import AppContext
from redisprep.cli._errors import REPORTED
from redisprep.signals import Stopped, install, interrupted

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
    cls=group_class(),
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
    if ctx.obj is None:
        ctx.obj = AppContext.default(no_color=no_color)
    ctx.obj.debug = debug
    ctx.obj.data_dir = data_dir


# Registration order is the order `redisprep --help` lists them: learn, then measure, then tidy up.
app.command("drill")(_drill.drill)
app.command("explain")(_explain.explain)
app.add_typer(_quiz.app, name="quiz")
app.add_typer(_practice.app, name="practice")
app.add_typer(_cluster.app, name="cluster")
app.add_typer(_interview.app, name="interview")
app.command("bench")(_bench.bench)
app.command("size")(_size.size)
app.command("clean")(_clean.clean)


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point: usage errors become one ``error:`` line and exit code 2."""

    last_signal = install()  # SIGTERM and SIGHUP clean up like Ctrl-C
    try:
        rv = app(args=argv, prog_name="redisprep", standalone_mode=False)
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

    signum = last_signal()
    if rv == 130 and not REPORTED:
        # An interrupt before the command's own handling (while its options were parsed): typer
        # turns every one into a silent 130; say so, naming SIGTERM or SIGHUP with its own code.
        stop = Stopped(signum) if signum is not None else KeyboardInterrupt()
        stopped = interrupted(stop, "nothing had started")
        sys.stderr.write(f"error: {stopped}\n")
        sys.exit(int(stopped.exit_code))
    sys.exit(rv if isinstance(rv, int) else 0)
