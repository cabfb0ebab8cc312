"""``redisprep drill NAME | list | all``: run drills and show their steps, checks and costs."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

from redisprep.cli._context import AppContext
from redisprep.cli._errors import handle_errors
from redisprep.cli._options import ClusterOption, JsonOption, UrlOption

if TYPE_CHECKING:
    from redisprep.backends import Backend
    from redisprep.drills.model import StepResult
    from redisprep.drills.session import DrillRequest, DrillSession
    from redisprep.render.drill import DrillLine


@handle_errors
def drill(
    ctx: typer.Context,
    name: Annotated[
        str,
        typer.Argument(
            help="A drill (see 'redisprep drill list'), or 'list', or 'all'.",
            metavar="NAME|list|all",
            show_default=False,
        ),
    ],
    url: UrlOption = None,
    cluster: ClusterOption = False,
    explain: Annotated[
        bool,
        typer.Option("--explain", help="Also show every command each step sent, with its cost."),
    ] = False,
    seed: Annotated[
        int, typer.Option(help="Seed for every random choice: the same seed repeats the run.")
    ] = 0,
    json_out: JsonOption = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print only the summary table (one line per drill).")
    ] = False,
) -> None:
    """Run a drill: narrated steps, the naive version failing, the correct one holding.

    Exit code 1 when a check does not come out as the drill expects. 'drill all' ends with one
    table: each drill's checks, round trips per operation and seconds.

    Examples:

    \b
        redisprep drill leaderboard
        redisprep drill leaderboard --explain --url redis://localhost:6379
        redisprep drill all --quiet
        redisprep drill list
    """
    app: AppContext = ctx.obj
    if name == "list":
        _list(app, json_out)
        return
    from redisprep.drills.session import DrillRequest
    from redisprep.render.drill import drills_table
    from redisprep.run import Target

    request = DrillRequest.parse(name, seed=seed, explain=explain, data_dir=app.data_dir).at(
        Target.resolve(_cluster_url(app, url) if cluster else url, cluster)
    )
    results = _run(app, request, json_out, quiet)  # every drill runs even after one fails
    if not json_out and (request.every or quiet):
        app.console.print(drills_table(results))
    if not all(r.ok for r in results):
        raise typer.Exit(1)


def _run(app: AppContext, request: DrillRequest, json_out: bool, quiet: bool) -> list[DrillLine]:
    """Run the requested drills on one shared backend; ``drill all`` side by side (cli/_drill_all.py)."""
    from redisprep.run import Run

    with Run(request.target, writes=False) as shared:

        def one(n: str) -> DrillLine:
            return _run_one(app, shared.backend, n, request, json_out, quiet)

        if request.every:
            from redisprep.cli._drill_all import run_all

            return run_all(app.console, shared.backend, request.names, one, app.debug)
        return [one(n) for n in request.names]


def _list(app: AppContext, json_out: bool) -> None:
    from redisprep.drills.catalog import GROUP_TITLES, load_metas
    from redisprep.render.drill import catalog_table

    metas = load_metas(app.data_dir)  # data only: no drill's code is imported to list them
    if json_out:
        rows = [{"name": m.name, "title": m.title, "group": m.group, "summary": m.summary} for m in metas]
        app.console.print_json(json.dumps(rows))
        return
    app.console.print(catalog_table(metas, GROUP_TITLES))


def _run_one(
    app: AppContext, backend: Backend, name: str, request: DrillRequest, json_out: bool, quiet: bool
) -> DrillLine:
    from redisprep.drills.session import prepare, run_session
    from redisprep.render.drill import DrillLine, drill_heading, summary

    session = prepare(name, backend, request)
    live = not json_out and not quiet
    if live:
        for part in drill_heading(session.title, backend.label, app.console.width):
            app.console.print(part)
    report = run_session(session, request, _stepper(app, session) if live else None)
    if json_out:
        app.console.print_json(json.dumps(session.to_dict()))
    elif not quiet:
        if session.cost is not None:
            from redisprep.render.explain import run_summary

            app.console.print(run_summary(session.cost))
        app.console.print(summary(report))
    return DrillLine.of(report)


def _stepper(app: AppContext, session: DrillSession) -> Callable[[StepResult], None]:
    """Print each step's panel as soon as it finishes."""
    from redisprep.render.drill import step_panel

    shown = itertools.count(1)

    def show(result: StepResult) -> None:
        app.console.print(
            step_panel(next(shown), session.total, result, session.explainer is not None, session.notes)
        )

    return show


def _cluster_url(app: AppContext, url: str | None) -> str | None:
    """``--cluster`` without a URL: the cluster ``cluster up`` runs, else say that it is simulated."""
    from redisprep.backends import resolve_url
    from redisprep.cluster import manager

    if resolve_url(url) is not None:
        return url
    running = manager.running_url()
    if running is not None:
        app.err_console.print(f"note: using the local cluster 'redisprep cluster up' started ({running})")
        return running
    app.err_console.print(
        "note: no --url, so the cluster is simulated in this process; 'redisprep cluster up' starts "
        "a real local one (then used by default), or pass --url redis://host:port of a cluster node"
    )
    return url
