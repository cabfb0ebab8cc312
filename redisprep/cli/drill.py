"""``redisprep drill NAME | list | all``: run drills and show their steps, checks and costs."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from redisprep.cli._backend import open_backend
from redisprep.cli._context import AppContext
from redisprep.cli._errors import handle_errors
from redisprep.cli._options import ClusterOption, JsonOption, UrlOption

if TYPE_CHECKING:
    from redisprep.backends import Backend
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
    from redisprep.drills import drill_names, get_drill, load_catalog

    if name == "list":
        _list(app, json_out)
        return
    names = drill_names(app.data_dir) if name == "all" else [get_drill(name, app.data_dir).name]
    load_catalog(app.data_dir)
    if cluster:
        url = _cluster_url(app, url)
    with open_backend(url, cluster) as backend:
        # Run every drill even after one fails, then report.
        if name == "all":  # side by side on several cores, printed in order (cli/_drill_all.py)
            from redisprep.cli._drill_all import run_all

            def one(n: str) -> DrillLine:
                return _run_one(app, backend, n, seed, explain, json_out, quiet)

            results = run_all(app.console, backend, names, one, app.debug)
        else:
            results = [_run_one(app, backend, n, seed, explain, json_out, quiet) for n in names]
    if not json_out and (name == "all" or quiet):
        from redisprep.render.drill import drills_table

        app.console.print(drills_table(results))
    if not all(r.ok for r in results):
        raise typer.Exit(1)


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
    app: AppContext,
    backend: Backend,
    name: str,
    seed: int,
    explain: bool,
    json_out: bool,
    quiet: bool = False,
) -> DrillLine:
    from rich.markup import escape
    from rich.rule import Rule

    from redisprep.drills import get_drill, run_drill
    from redisprep.drills.export import report_to_dict
    from redisprep.drills.model import StepResult
    from redisprep.explain.tracing import Tracer
    from redisprep.render.drill import DrillLine, step_panel, summary

    entry = get_drill(name, app.data_dir)
    total = len(entry.drill.steps)
    shown = 0
    explainer = None
    if explain:
        from redisprep.explain.observer import Explainer

        explainer = Explainer(backend)
    notes = explainer.notes if explainer is not None else None

    def show(result: StepResult) -> None:
        nonlocal shown
        shown += 1
        app.console.print(step_panel(shown, total, result, explain, notes))

    if not json_out and not quiet:
        heading = f"{entry.meta.title}  ({backend.label})"
        if len(heading) + 6 <= app.console.width:
            app.console.print(Rule(f"[bold]{escape(entry.meta.title)}[/]  ({escape(backend.label)})"))
        else:  # a rule cuts a long title with "…": the backend goes on a line of its own
            app.console.print(Rule(f"[bold]{escape(entry.meta.title)}[/]"))
            app.console.print(f"({escape(backend.label)})", style="dim", justify="center")
    report = run_drill(
        name,
        backend,
        seed=seed,
        on_step=None if json_out or quiet else show,
        data_dir=app.data_dir,
        tracer=Tracer(observer=explainer),
    )
    run_cost = None
    if explainer is not None:
        from redisprep.explain.summary import summarize

        commands = [c for s in report.steps for c in s.commands]
        run_cost = summarize(commands, explainer.notes, explainer.changes, explainer.source)
    if json_out:
        data = report_to_dict(report, commands=explain)
        if explainer is not None and run_cost is not None:
            from redisprep.explain.export import add_explain

            add_explain(data, explainer.notes, run_cost)
        app.console.print_json(json.dumps(data))
        return DrillLine.of(report)
    if quiet:
        return DrillLine.of(report)
    if run_cost is not None:
        from redisprep.render.explain import run_summary

        app.console.print(run_summary(run_cost))
    app.console.print(summary(report))
    return DrillLine.of(report)


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
