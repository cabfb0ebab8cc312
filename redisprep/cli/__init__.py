"""The command line: Typer sub-apps, one module per noun. The only package that imports typer."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

from redisprep import __version__

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
    from redisprep.cli.main import main as run

    run(argv)


def __getattr__(name: str) -> Any:
    # ``from redisprep.cli import app`` (tests, typer tooling) builds the Typer app on first use.
    if name == "app":
        from redisprep.cli.main import app

        return app
    raise AttributeError(name)
