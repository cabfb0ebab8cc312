"""``redisprep bench``: writes/s, read latency, redis-benchmark side by side, the leaderboard at scale."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from typing import TYPE_CHECKING, Annotated

import typer

from redisprep.cli._context import AppContext
from redisprep.cli._errors import handle_errors
from redisprep.cli._options import JsonOption, UrlOption

if TYPE_CHECKING:
    from redisprep.bench.model import Progress


@handle_errors
def bench(
    ctx: typer.Context,
    url: UrlOption = None,
    requests: Annotated[
        int, typer.Option(min=100, help="SETs per unpipelined run (pipelined runs send 5x).")
    ] = 20_000,
    connections: Annotated[
        int, typer.Option(min=2, max=64, help="Processes for the multi-connection run.")
    ] = 4,
    players: Annotated[
        int, typer.Option(min=0, help="Largest leaderboard of the scale run (0 skips it).")
    ] = 100_000,
    queries: Annotated[int, typer.Option(min=10, help="Rank and top-K queries timed at each size.")] = 1_000,
    value_size: Annotated[int, typer.Option(min=1, max=1_000_000, help="Bytes per SET value.")] = 3,
    redis_benchmark: Annotated[
        bool, typer.Option(help="Also run redis-benchmark with matching settings, where installed.")
    ] = True,
    seed: Annotated[int, typer.Option(help="Seed for the scale run's scores and queries.")] = 0,
    json_out: JsonOption = False,
) -> None:
    """Measure what the server and a Python client can do, and the leaderboard at scale.

    On the embedded backend the figures describe Python, not Redis; use --url for a real server.
    Every key written is under this run's namespace and removed at the end.

    Examples:

    \b
        redisprep bench --url redis://localhost:6379
        redisprep bench --url redis://localhost:6379 --players 1000000
    """
    app: AppContext = ctx.obj
    from redisprep.bench.run import BenchOptions, measure
    from redisprep.run import Target

    options = BenchOptions(
        requests=requests,
        connections=connections,
        players=players,
        queries=queries,
        value_size=value_size,
        redis_benchmark=redis_benchmark,
        seed=seed,
    )
    with _progress(app, json_out) as progress:
        result = measure(Target.resolve(url), options, progress)
    if json_out:
        app.console.print_json(json.dumps(asdict(result)))
        return
    from redisprep.render.bench import report

    app.console.print(report(result))


@contextmanager
def _progress(app: AppContext, quiet: bool) -> Iterator[Progress]:
    """A rich progress bar on stderr fed by the core's ``progress(label, done, total)`` callback.

    Only on a terminal: redirected, a transient bar still leaves an empty line behind on stderr.
    """
    if quiet or not app.err_console.is_terminal:
        yield lambda *_: None
        return
    from rich.progress import BarColumn, TaskProgressColumn, TextColumn, TimeElapsedColumn
    from rich.progress import Progress as Bar

    with Bar(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=app.err_console,
        transient=True,
    ) as bar:
        task = bar.add_task("starting", total=1)

        def update(label: str, done: int, total: int) -> None:
            bar.update(task, description=label, completed=done, total=max(total, 1))

        yield update
