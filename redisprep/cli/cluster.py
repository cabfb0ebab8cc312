"""``redisprep cluster up | status | down | slot``: a local Redis Cluster, and where keys live."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from redisprep.cli._backend import open_backend
from redisprep.cli._context import AppContext
from redisprep.cli._errors import handle_errors
from redisprep.cli._options import JsonOption, UrlOption

app = typer.Typer(
    help="Start, inspect and stop a local Redis Cluster; show which slot and node a key maps to.\n\n"
    "Examples:\n\n"
    "\b\n"
    "    redisprep cluster up --replicas 1\n"
    "    redisprep drill hot-key --cluster\n"
    "    redisprep cluster down",
    no_args_is_help=True,
)


@app.command()
@handle_errors
def up(
    ctx: typer.Context,
    masters: Annotated[int, typer.Option(help="Number of masters (at least 3).", min=3, max=30)] = 3,
    replicas: Annotated[int, typer.Option(help="Replicas per master.", min=0, max=9)] = 0,
) -> None:
    """Start a local Redis Cluster from the installed redis-server, on free loopback ports.

    The nodes keep running after this command returns; 'redisprep cluster down' stops them (by
    PID). The state is kept in the user data folder ($REDISPREP_HOME, else ~/.local/share/redisprep).

    Example:

    \b
        redisprep cluster up --replicas 1
        redisprep drill hot-key --url redis+cluster://127.0.0.1:<port>
    """
    app_ctx: AppContext = ctx.obj
    from redisprep.cluster import manager, state
    from redisprep.render.cluster import started

    cluster = manager.up(masters, replicas)
    app_ctx.console.print(started(cluster, str(state.state_file())))


@app.command()
@handle_errors
def status(ctx: typer.Context) -> None:
    """Show the nodes of the local cluster and whether each one runs (exit 1 if some do not).

    Example:

    \b
        redisprep cluster status
    """
    app_ctx: AppContext = ctx.obj
    from redisprep.cluster import manager
    from redisprep.render.cluster import status_table

    current = manager.status()
    if current is None:
        app_ctx.console.print("no local cluster is running ('redisprep cluster up' starts one)")
        return
    app_ctx.console.print(status_table(current))
    if not current.healthy:
        raise typer.Exit(1)


@app.command()
@handle_errors
def down(ctx: typer.Context) -> None:
    """Stop the local cluster's nodes (only the processes 'cluster up' started, by PID).

    Example:

    \b
        redisprep cluster down
    """
    app_ctx: AppContext = ctx.obj
    from redisprep.cluster import manager

    result = manager.down()
    if result is None:
        app_ctx.console.print("no local cluster is running: nothing to stop")
        return
    record, spared = result
    for node in spared:
        app_ctx.err_console.print(
            f"warning: left PID {node.pid} alone: it no longer answers on port {node.port} as the node "
            "redisprep started",
            markup=False,
            soft_wrap=True,
        )
    stopped = len(record.nodes) - len(spared)
    app_ctx.console.print(f"stopped {stopped} of {len(record.nodes)} nodes of {record.url}")


@app.command()
@handle_errors
def slot(
    ctx: typer.Context,
    keys: Annotated[
        list[str], typer.Argument(help="Key names (nothing is read or written).", show_default=False)
    ],
    url: UrlOption = None,
    json_out: JsonOption = False,
) -> None:
    """Show each key's slot (CRC16 mod 16384), its hash tag, the node serving it, and whether the
    keys can be used together in one command.

    The node comes from --url (any node of a cluster), else from the cluster 'cluster up' started,
    else from the simulated layout of a 3-master cluster (and says so).

    Example:

    \b
        redisprep cluster slot user:1000 {user:1000}:cart {user:1000}:orders
    """
    app_ctx: AppContext = ctx.obj
    from redisprep.backends import resolve_url
    from redisprep.cluster import manager
    from redisprep.cluster.locate import locate
    from redisprep.render.cluster import slot_table

    target = resolve_url(url) or manager.running_url()
    if target is None:
        report = locate(keys, None)
    else:
        with open_backend(target, cluster=True) as backend:
            report = locate(keys, backend)
    if json_out:
        rows = [
            {"key": k.key, "slot": k.slot, "hash_tag": k.tag, "node": k.owner, "server_slot": k.server_slot}
            for k in report.keys
        ]
        doc = {"keys": rows, "same_slot": report.same_slot, "nodes_from": report.owners_from}
        app_ctx.console.print_json(json.dumps({**doc, "simulated": report.simulated}))
        return
    app_ctx.console.print(slot_table(report))
