"""The local cluster of ``redisprep cluster up | status | down``, recorded in the user's data folder."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from redisprep.cluster import state
from redisprep.cluster.local import LocalCluster, is_ours, node_client, start_cluster
from redisprep.cluster.state import ClusterRecord, NodeRecord
from redisprep.errors import RedisprepError
from redisprep.localserver import LocalServer
from redisprep.resources import user_data_dir


class ClusterAlreadyUpError(RedisprepError):
    """``cluster up`` found a cluster it started earlier still running."""


@dataclass(frozen=True, slots=True)
class NodeStatus:
    """What ``cluster status`` shows for one node."""

    record: NodeRecord
    running: bool
    """The recorded process answers on its port with the recorded PID and run id."""
    role: str | None = None
    slots: int = 0
    cluster_state: str | None = None


@dataclass(frozen=True, slots=True)
class ClusterStatus:
    """The recorded cluster and how each node is doing."""

    record: ClusterRecord
    nodes: tuple[NodeStatus, ...]

    @property
    def healthy(self) -> bool:
        """Every node runs and reports ``cluster_state:ok``."""
        return all(n.running and n.cluster_state == "ok" for n in self.nodes)

    @property
    def running(self) -> bool:
        """At least one node still runs."""
        return any(n.running for n in self.nodes)


def up(masters: int = 3, replicas: int = 0, home: Path | None = None) -> LocalCluster:
    """Start a detached local cluster and record it in the user's data folder.

    Raises:
        ClusterAlreadyUpError: A cluster recorded there still runs.
        BadUsageError, BackendUnsupportedError, BackendUnavailableError: See :func:`start_cluster`.
    """
    path = state.state_file(home)
    existing = status(home)
    if existing is not None and existing.running:
        raise ClusterAlreadyUpError(
            f"a local cluster is already up at {existing.record.url}; 'redisprep cluster down' stops it"
        )
    if existing is not None:
        stop_recorded(existing.record, home)  # its processes are gone; remove the leftovers
    folder = (home or user_data_dir()) / "cluster-nodes"
    cluster = start_cluster(masters, replicas, detach=True, workdir=folder)
    state.save(cluster.record(), path)
    return cluster


def status(home: Path | None = None) -> ClusterStatus | None:
    """The recorded cluster with each node's state, or None when none is recorded."""
    record = state.load(state.state_file(home))
    if record is None:
        return None
    return ClusterStatus(record, tuple(_node_status(n) for n in record.nodes))


def _node_status(node: NodeRecord) -> NodeStatus:
    import redis

    if not is_ours(node):
        return NodeStatus(node, running=False)
    client = node_client(node.port)
    try:
        info = client.cluster("info")
        role = client.info("replication").get("role")
        # CLUSTER SLOTS: every release has it (CLUSTER SHARDS, its 7.0 successor, 6.2 lacks).
        ranges = client.execute_command("CLUSTER SLOTS")
    except redis.RedisError:
        return NodeStatus(node, running=True)
    finally:
        client.close()
    # Each range: first slot, last slot, then the primary [host, port, node id, ...] and replicas.
    slots = sum(
        int(last) - int(first) + 1 for first, last, primary, *_ in ranges if _id(primary) == node.node_id
    )
    return NodeStatus(
        node,
        running=True,
        role="replica" if role == "slave" else role,
        slots=slots,
        cluster_state=info.get("cluster_state"),
    )


def _id(address: list[object]) -> str | None:
    """The node id in a CLUSTER SLOTS address (``[host, port, id, ...]``)."""
    return str(address[2]) if len(address) > 2 else None


def running_url(home: Path | None = None) -> str | None:
    """The URL of the recorded local cluster if it still runs, else None."""
    try:
        current = status(home)
    except RedisprepError:
        return None
    return current.record.url if current is not None and current.running else None


def down(home: Path | None = None) -> tuple[ClusterRecord, list[NodeRecord]] | None:
    """Stop the recorded cluster and forget it.

    Returns:
        The record and the nodes that were left alone because their PID no longer belongs to the
        node we started; None when no cluster was recorded.
    """
    path = state.state_file(home)
    record = state.load(path)
    if record is None:
        return None
    spared = stop_recorded(record, home)
    state.remove(path)
    return record, spared


def stop_recorded(
    record: ClusterRecord, home: Path | None = None, check: Callable[[NodeRecord], bool] = is_ours
) -> list[NodeRecord]:
    """Stop each recorded node that is provably ours (by PID) and remove its folder.

    A folder is removed only when it lies inside redisprep's own ``cluster-nodes`` folder, whatever
    the state file says.

    Returns:
        The nodes left alone: their PID runs but no longer answers as the node we started.
    """
    nodes_dir = ((home or user_data_dir()) / "cluster-nodes").resolve()
    spared = []
    for node in record.nodes:
        server = LocalServer(node.port, node.pid, Path(node.workdir))
        if check(node):
            server.stop(remove_workdir=False)
        elif server.alive():
            spared.append(node)  # the PID is someone else's now (or the node hangs): leave it alone
            continue
        folder = Path(node.workdir).resolve()
        if folder.parent == nodes_dir:
            shutil.rmtree(folder, ignore_errors=True)
    return spared


def owns(addresses: list[str], home: Path | None = None) -> bool:
    """Whether ``addresses`` (``host:port`` of a cluster's nodes) belong to the recorded local cluster.

    True only when every address is a recorded node that still runs as recorded.
    """
    try:
        record = state.load(state.state_file(home))
    except RedisprepError:
        return False
    if record is None or not addresses:
        return False
    by_address = {n.address: n for n in record.nodes}
    local = {a.replace("localhost", "127.0.0.1") for a in addresses}
    return all(a in by_address and is_ours(by_address[a]) for a in local)
