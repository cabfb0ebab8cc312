"""The one place that turns a :class:`RedisprepError` into an ``error: ...`` line and an exit code."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

import typer
from typer._click.globals import get_current_context

from redisprep.cli._context import AppContext
from redisprep.errors import RedisprepError
from redisprep.signals import interrupted

F = TypeVar("F", bound=Callable[..., Any])


#: The messages :func:`report` printed in this process (the entry point says nothing twice).
REPORTED: list[str] = []


def report(app: AppContext, message: str) -> None:
    """Print one ``error:`` line on stderr, never wrapped."""
    REPORTED.append(message)
    app.err_console.print(f"error: {message}", style="red", markup=False, highlight=False, soft_wrap=True)


def handle_errors(fn: F) -> F:
    """Catch redisprep's errors in a command and exit with the error's code.

    The consoles come from the current context's :class:`AppContext`. With ``--debug`` the error
    is re-raised so the traceback shows. Anything that is not a :class:`RedisprepError` is a bug
    and is not caught.
    """

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = get_current_context(silent=True)
        obj = ctx.obj if ctx is not None else None
        app = obj if isinstance(obj, AppContext) else AppContext.default()
        try:
            return fn(*args, **kwargs)
        except RedisprepError as exc:
            if app.debug:
                raise
            report(app, str(exc))
            raise typer.Exit(int(exc.exit_code)) from None
        except KeyboardInterrupt as exc:
            if app.debug:
                raise

            error = interrupted(exc, "")
            report(app, str(error))
            raise typer.Exit(int(error.exit_code)) from None

    return cast(F, wrapper)
