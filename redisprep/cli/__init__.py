"""The command line: Typer sub-apps, one module per noun. The only package that imports typer."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from redisprep import __version__

if TYPE_CHECKING:
    from redisprep.practice.spawn import Spawned

__all__ = ["app", "main"]


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point.

    ``redisprep --version`` alone is answered before typer is imported: typer and the command
    modules cost more than the rest of the start-up (see ``make bench-startup``).
    """
    args = sys.argv[1:] if argv is None else list(argv)
    if args == ["--version"]:
        sys.stdout.write(f"redisprep {__version__}\n")
        sys.exit(0)
    early = _early_child(args)
    try:
        from redisprep.cli.main import main as run

        run(argv, early)
    finally:
        if early is not None:
            early.release()


def _early_child(args: Sequence[str]) -> Spawned | None:
    """For ``practice check``, the grading child, started before typer and the command load.

    The child imports what learner code may need (a few tenths of a second, in its own process);
    started here rather than in the command, that import overlaps the grader's start-up too. Any
    other command line, or one asking for help, starts nothing.
    """
    if [a for a in args if not a.startswith("-")][:2] != ["practice", "check"]:
        return None
    if "--help" in args or "-h" in args:
        return None
    from redisprep.practice.spawn import prestart

    return prestart()


def __getattr__(name: str) -> Any:
    # ``from redisprep.cli import app`` (tests, typer tooling) builds the Typer app on first use.
    if name == "app":
        from redisprep.cli.main import app

        return app
    raise AttributeError(name)
