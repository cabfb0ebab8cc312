"""Rich renderables for ``redisprep cluster``: the nodes of a local cluster, and where keys live."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from redisprep.cluster.local import LocalCluster
from redisprep.cluster.manager import ClusterStatus
from redisprep.cluster.slots import SlotReport


def started(cluster: LocalCluster, state_path: str) -> RenderableType:
    """What ``cluster up`` prints: the address, the nodes, and what to try next."""
    table = Table(header_style="bold")
    for col in ("node", "role", "pid"):
        table.add_column(col)
    for record in cluster.records:
        table.add_row(record.address, record.role, str(record.pid))
    return Group(
        Text(
            f"cluster up in {cluster.startup_s:.1f} s: {cluster.masters} masters, "
            f"{cluster.replicas} replica(s) each",
            style="bold green",
        ),
        Text.assemble("address: ", (cluster.url, "bold cyan")),
        table,
        Text(f"state: {state_path}", style="dim"),
        Text(
            f"try:  redisprep drill leaderboard --url {cluster.url}\n"
            f"      redisprep drill hot-key --url {cluster.url}\n"
            "      redisprep cluster slot user:1000 {user:1000}:cart\n"
            "stop: redisprep cluster down"
        ),
    )


def status_table(status: ClusterStatus) -> RenderableType:
    """``cluster status``: each recorded node and how it is doing."""
    table = Table(header_style="bold")
    for col in ("node", "pid", "role", "slots", "cluster_state"):
        table.add_column(col)
    for node in status.nodes:
        if node.running:
            table.add_row(
                node.record.address,
                str(node.record.pid),
                node.role or "?",
                str(node.slots),
                Text(str(node.cluster_state), style="green" if node.cluster_state == "ok" else "red"),
            )
        else:
            table.add_row(node.record.address, str(node.record.pid), Text("not running", style="red"), "", "")
    verdict = (
        Text(f"healthy: {status.record.url}", style="bold green")
        if status.healthy
        else Text("not healthy: some nodes are down ('redisprep cluster down' cleans up)", style="bold red")
    )
    return Group(verdict, table)


def slot_table(report: SlotReport) -> RenderableType:
    """``cluster slot``: slot, hash tag and node of each key, and whether they fit one command."""
    table = Table(header_style="bold")
    table.add_column("key", overflow="fold")
    table.add_column("hash tag")
    table.add_column("slot", justify="right")
    show_server = any(k.server_slot is not None for k in report.keys)
    if show_server:
        table.add_column("CLUSTER KEYSLOT", justify="right")
    if report.owners_from:
        table.add_column("node (simulated)" if report.simulated else "node")
    for info in report.keys:
        row = [info.key, info.tag if info.tag is not None else "(none)", str(info.slot)]
        if show_server:
            row.append(str(info.server_slot))
        if report.owners_from:
            row.append(info.owner or "")
        table.add_row(*row)
    parts: list[RenderableType] = [table]
    if report.owners_from:
        parts.append(Text(f"nodes from: {report.owners_from}", style="dim"))
    if len(report.keys) > 1:
        if report.same_slot:
            parts.append(
                Text(f"together in one command: yes, all in slot {report.slots[0]}", style="bold green")
            )
        else:
            parts.append(
                Text(
                    f"together in one command: no, {len(report.slots)} slots; MSET, MGET, Lua scripts "
                    "and MULTI would fail with CROSSSLOT. Give them one hash tag, e.g. {user:1000}:a "
                    "and {user:1000}:b.",
                    style="bold yellow",
                )
            )
    return Group(*parts)
