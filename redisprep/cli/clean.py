"""``redisprep clean``: remove keys that a killed run left behind, and nothing else."""

from __future__ import annotations

from typing import Annotated

import typer

from redisprep.cli._backend import open_backend
from redisprep.cli._context import AppContext
from redisprep.cli._errors import handle_errors
from redisprep.cli._options import ClusterOption, UrlOption


@handle_errors
def clean(
    ctx: typer.Context,
    url: UrlOption = None,
    cluster: ClusterOption = False,
    older_than: Annotated[
        float,
        typer.Option(help="Only runs that started at least this many seconds ago (spares live runs).", min=0),
    ] = 60.0,
) -> None:
    """Delete keys left by redisprep runs that were killed before they could clean up.

    Only runs whose marker key (redisprep:<run id>~run, written first by every run) is on the
    server are cleaned: a key that merely looks like a run's is left alone. Found with SCAN,
    never KEYS; the output lists every run cleaned and how many keys each had.

    Example:

    \b
        redisprep clean --url redis://localhost:6379
    """
    app: AppContext = ctx.obj
    from redisprep.cleanup import remove_stale_runs
    from redisprep.render.clean import clean_report

    with open_backend(url, cluster) as backend:
        if backend.kind == "embedded":
            app.console.print("the embedded server lives inside one run: nothing to clean")
            return
        report = remove_stale_runs(backend, older_than)
    app.console.print(clean_report(report, backend.label, older_than))
