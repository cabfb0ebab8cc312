"""A Redis Cluster failover (3 primaries, 1 replica each) seen through redis-py's cluster client.

The nodes are private servers of a :class:`Fleet` (killed with this process, stopped on every way
out) with ``cluster up``'s settings (node timeout 3000 ms), joined with ``redis-cli --cluster
create ... --cluster-replicas 1`` as ``cluster up`` joins them; the primary serving the trial's hash tag
is killed with SIGKILL while a ``RedisCluster`` client writes, and the client retries every 10 ms
until a write succeeds, counting each error and each time it reloaded its slot map.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from redisprep.cluster.local import NODE_TIMEOUT_MS as NODE_TIMEOUT_MS  # what cluster up uses
from redisprep.cluster.local import _create as _create  # noqa: PLC2701 (cluster up's own join)
from redisprep.cluster.local import _wait_until_ready as _wait_until_ready  # noqa: PLC2701
from redisprep.drills.replication.fleet import Fleet, Outage, no_retry, write_until_it_works
from redisprep.localserver import LocalServer, find_binary, free_port

MASTERS = 3
NODE_ARGS = (
    *("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"),
    *("--cluster-node-timeout", str(NODE_TIMEOUT_MS)),
    # CLUSTER SLOTS lists a replica once its offset moved, which an idle primary does every ping.
    *("--repl-ping-replica-period", "1"),
)
GIVE_UP_S = 60.0
CLIENT_TIMEOUT_S = 0.25


@dataclass(frozen=True, slots=True)
class ClusterTrial:
    """What the cluster client saw through one failover."""

    acknowledged: int
    lost_acknowledged: int
    outage: Outage
    """From the SIGKILL to the first write that succeeded again, and the errors on the way."""
    slot_map_reloads: int = 0
    """``NodesManager.initialize`` calls after the kill (CLUSTER SLOTS / SHARDS read again)."""
    promoted_replica: bool = False
    """The slot's new owner is the killed primary's former replica."""
    startup_s: float = 0.0


def cluster_failover(writes: int, *, prefix: str = "repl") -> ClusterTrial:
    """Start 3 primaries with a replica each; write to one slot, kill its primary, write until it works.

    Raises:
        BackendUnsupportedError: No redis-server or redis-cli.
        BackendUnavailableError: The cluster did not form, or no write succeeded in 60 s.
    """
    from redis.cluster import RedisCluster

    with Fleet() as fleet:
        began = time.perf_counter()
        servers = [_node(fleet) for _ in range(MASTERS * 2)]
        _create(find_binary("redis-cli"), [f"127.0.0.1:{s.port}" for s in servers], 1)
        _wait_until_ready(servers, len(servers), 1)
        startup_s = time.perf_counter() - began
        tag = "{" + prefix + "}"
        keys = [f"{tag}:c:{i}" for i in range(writes)]
        rc = RedisCluster(
            host="127.0.0.1",
            port=servers[0].port,
            decode_responses=True,
            socket_timeout=CLIENT_TIMEOUT_S,
            socket_connect_timeout=CLIENT_TIMEOUT_S,
            retry=no_retry(),
        )
        try:
            slot = rc.keyslot(keys[0])
            owner = rc.nodes_manager.get_node_from_slot(slot)
            victim = next(s for s in servers if s.port == owner.port)
            replica_ports = _replicas_of(rc, owner.port)
            acked = [k for i, k in enumerate(keys) if rc.set(k, str(i))]
            reloads = Counter[str]()
            original = rc.nodes_manager.initialize

            def counted(*args: Any, **kwargs: Any) -> Any:
                reloads["initialize"] += 1
                return original(*args, **kwargs)

            rc.nodes_manager.initialize = counted
            killed = time.monotonic()
            victim.kill()
            outage = write_until_it_works(lambda: rc.set(f"{tag}:after", "1"), killed, GIVE_UP_S, lambda: "")
            new_owner = rc.nodes_manager.get_node_from_slot(slot)
            present = sum(int(rc.exists(k)) for k in acked)
        finally:
            rc.close()
        return ClusterTrial(
            acknowledged=len(acked),
            lost_acknowledged=len(acked) - present,
            outage=outage,
            slot_map_reloads=reloads["initialize"],
            promoted_replica=new_owner.port in replica_ports,
            startup_s=startup_s,
        )


def _node(fleet: Fleet) -> LocalServer:
    """A private cluster-enabled node on a port whose bus port (+10000) is free too."""
    return fleet.server(*NODE_ARGS, port=free_port(cluster_bus=True))


def _replicas_of(rc: Any, port: int) -> set[int]:
    """Ports of the replicas of the primary on ``port`` (CLUSTER NODES, keyed ``host:port``)."""
    nodes = {int(addr.rsplit(":", 1)[1]): info for addr, info in rc.cluster_nodes().items()}
    primary_id = nodes[port]["node_id"]
    return {p for p, info in nodes.items() if info.get("master_id") == primary_id}
