"""Start a local Redis Cluster made of redis-server processes redisprep owns, and recognise its nodes.

Nodes are started with :func:`redisprep.localserver.start_server` on free loopback ports and joined
with ``redis-cli --cluster create``. A node is *ours* when the process answering on its port has the
PID and ``run_id`` we recorded (``INFO server``); only then is it stopped by that PID.
"""

from __future__ import annotations

import re
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from redisprep.backends import PROTOCOL
from redisprep.cluster.state import ClusterRecord, NodeRecord
from redisprep.errors import BackendUnavailableError, BadUsageError
from redisprep.localserver import LocalServer, find_binary, free_port, start_server

READY_TIMEOUT_S = 30.0
#: How long a node may stay silent before the others mark it failing (Redis's default is 15 s).
NODE_TIMEOUT_MS = 3000
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass
class LocalCluster:
    """A running cluster: its processes (with the identities recorded) and how it was laid out."""

    masters: int
    replicas: int
    servers: list[LocalServer]
    records: list[NodeRecord] = field(default_factory=list)
    started_at: float = field(default_factory=time.time)
    startup_s: float = 0.0
    """Seconds from the first process start until every node reported the cluster ready."""

    @property
    def url(self) -> str:
        """``redis+cluster://127.0.0.1:<port of the first node>``."""
        return f"redis+cluster://127.0.0.1:{self.servers[0].port}"

    @property
    def addresses(self) -> list[str]:
        """``127.0.0.1:<port>`` of every node, masters first."""
        return [f"127.0.0.1:{s.port}" for s in self.servers]

    def record(self) -> ClusterRecord:
        """What the state file keeps."""
        return ClusterRecord(self.masters, self.replicas, self.started_at, tuple(self.records))

    def stop(self) -> None:
        """Stop every node by PID and remove its folder."""
        for server in self.servers:
            server.stop()


def start_cluster(
    masters: int = 3,
    replicas: int = 0,
    *,
    detach: bool = False,
    workdir: Path | None = None,
    die_with_parent: bool = False,
) -> LocalCluster:
    """Start ``masters * (1 + replicas)`` nodes and join them into one cluster.

    Args:
        masters: Number of masters (redis-cli needs at least 3).
        replicas: Replicas per master.
        detach: Let the nodes outlive this process (``cluster up``); see :func:`start_server`.
        workdir: Folder for the nodes' folders (temporary folders by default).
        die_with_parent: The kernel kills every node when the thread that started it ends (a test
            run killed with SIGKILL leaves no orphan nodes); see :func:`start_server`.

    Raises:
        BadUsageError: Fewer than 3 masters, a negative replica count, or more than 30 nodes.
        BackendUnsupportedError: redis-server or redis-cli is not installed.
        BackendUnavailableError: The nodes did not start or did not form a cluster in time.
    """
    if masters < 3:
        raise BadUsageError("a Redis Cluster needs at least 3 masters (redis-cli --cluster create)")
    if replicas < 0:
        raise BadUsageError("--replicas cannot be negative")
    total = masters * (1 + replicas)
    if total > 30:
        raise BadUsageError(f"{total} nodes is more than this local cluster allows (30)")
    find_binary("redis-server")
    cli = find_binary("redis-cli")
    started = time.perf_counter()
    cluster = LocalCluster(masters, replicas, [])
    try:
        for _ in range(total):
            cluster.servers.append(_start_node(detach, workdir, die_with_parent))
        _create(cli, cluster.addresses, replicas)
        cluster.records = _wait_until_ready(cluster.servers, total, replicas)
    except BaseException:
        cluster.stop()
        raise
    cluster.startup_s = time.perf_counter() - started
    return cluster


def _start_node(detach: bool, workdir: Path | None, die_with_parent: bool) -> LocalServer:
    args = [
        *("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"),
        *("--cluster-node-timeout", str(NODE_TIMEOUT_MS)),
        # A master waits 5 s (the default) for more replicas before a diskless full sync.
        *("--repl-diskless-sync-delay", "0"),
        # CLUSTER SLOTS hides a replica until its replication offset moves; an idle master moves
        # it only when it pings its replicas (every 10 s by default).
        *("--repl-ping-replica-period", "1"),
    ]
    last: BackendUnavailableError | None = None
    for _ in range(3):  # another process may take the port between the check and the start
        port = free_port(cluster_bus=True)
        folder = workdir / str(port) if workdir is not None else None
        try:
            return start_server(
                *args, port=port, workdir=folder, detach=detach, die_with_parent=die_with_parent
            )
        except BackendUnavailableError as exc:
            last = exc
    assert last is not None
    raise last


def _create(cli: str, addresses: list[str], replicas: int) -> None:
    argv = [cli, "--cluster", "create", *addresses, "--cluster-replicas", str(replicas), "--cluster-yes"]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise BackendUnavailableError("redis-cli --cluster create did not finish in 60 s") from None
    if done.returncode != 0:
        lines = [_ANSI.sub("", line).strip() for line in (done.stdout + done.stderr).splitlines()]
        reason = next((line for line in reversed(lines) if line), "no output")
        raise BackendUnavailableError(f"redis-cli --cluster create failed: {reason}")


def node_client(port: int) -> Any:
    """A plain client on a local node: short timeouts, no retries."""
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    return redis.Redis(
        host="127.0.0.1",
        port=port,
        decode_responses=True,
        protocol=PROTOCOL,
        socket_timeout=1.0,
        socket_connect_timeout=1.0,
        retry=Retry(NoBackoff(), 0),  # a node that is gone must not cost redis-py's 10 retries
    )


def _wait_until_ready(servers: list[LocalServer], total: int, replicas: int) -> list[NodeRecord]:
    """Poll every node until it sees all nodes, all slots, and (for replicas) a live master link."""
    import redis

    clients = [node_client(s.port) for s in servers]
    deadline = time.monotonic() + READY_TIMEOUT_S
    try:
        while True:
            try:
                if all(_node_ready(c, total, replicas) for c in clients):
                    return [_identify(s, c) for s, c in zip(servers, clients, strict=True)]
            except redis.RedisError:
                pass
            if time.monotonic() > deadline:
                raise BackendUnavailableError(f"the cluster was not ready after {READY_TIMEOUT_S:.0f} s")
            time.sleep(0.05)
    finally:
        for c in clients:
            c.close()


def _node_ready(client: Any, total: int, replicas: int) -> bool:
    info = client.cluster("info")
    if info.get("cluster_state") != "ok" or int(info.get("cluster_known_nodes", 0)) != total:
        return False
    # Clients (redis-py included) read the layout from CLUSTER SLOTS, which lists a replica only
    # once this node has heard, by gossip, that the replica's offset moved.
    ranges = client.execute_command("CLUSTER SLOTS")
    if any(len(r) - 2 != 1 + replicas for r in ranges):
        return False
    repl = client.info("replication")
    return bool(repl.get("role") == "master" or repl.get("master_link_status") == "up")


def _identify(server: LocalServer, client: Any) -> NodeRecord:
    info = client.info("server")
    role = "master" if client.info("replication").get("role") == "master" else "replica"
    return NodeRecord(
        port=server.port,
        pid=server.pid,
        run_id=str(info["run_id"]),
        node_id=str(client.execute_command("CLUSTER MYID")),
        role=role,
        workdir=str(server.workdir),
    )


def is_ours(node: NodeRecord) -> bool:
    """Whether the process answering on the node's port is the one we recorded (PID and run id)."""
    import redis

    client = node_client(node.port)
    try:
        info = client.info("server")
    except redis.RedisError:
        return False
    finally:
        client.close()
    return int(info.get("process_id", -1)) == node.pid and str(info.get("run_id")) == node.run_id
