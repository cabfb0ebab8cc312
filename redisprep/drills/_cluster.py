"""The cluster a scaling drill works on: the backend's real cluster, or a labelled simulation.

On a cluster backend the view wraps the real nodes (redis-py's ``RedisCluster`` for routed traffic,
one plain connection per node for direct commands and ``INFO``). On any other backend it builds a
:class:`~redisprep.cluster.sim.SimCluster` (3 primaries, 1 replica each) with the same slot layout
``redis-cli --cluster create`` gives, and everything that comes from it is labelled simulated.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from redisprep.backends import Backend
from redisprep.cluster import manager
from redisprep.cluster.router import FollowRule, RoutingClient, follow_redirect, read_layout
from redisprep.cluster.sim import SimCluster

SIM_MASTERS = 3
SIM_REPLICAS = 1


def _split(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    return host, int(port)


@dataclass
class ClusterView:
    """Nodes, layout, clients and per-node counters of a real or simulated cluster."""

    simulated: bool
    label: str
    """What to show: the backend's address, or ``simulated cluster (...)``."""
    reason: str | None
    """Why the view is simulated (None for a real cluster)."""
    may_reshard: bool
    """Whether topology may change (CLUSTER SETSLOT, MIGRATE): a simulation, or a cluster redisprep
    started itself (``backend.disposable`` or the ``cluster up`` state file)."""
    owner: list[str]
    """Slot -> ``host:port`` of the primary serving it."""
    replicas: dict[str, list[str]]
    """Primary -> its replicas."""
    _connect: Callable[[str], Any] = field(repr=False)
    _routed: Callable[[bool], Any] = field(repr=False)
    _stats: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def primaries(self) -> list[str]:
        """Primaries in slot order."""
        return list(dict.fromkeys(self.owner))

    @property
    def nodes(self) -> list[str]:
        """Every node: each primary followed by its replicas."""
        return [n for p in self.primaries for n in (p, *self.replicas.get(p, []))]

    @property
    def has_replicas(self) -> bool:
        """Some primary has a replica."""
        return any(self.replicas.values())

    def role(self, address: str) -> str:
        """``primary`` or ``replica``."""
        return "primary" if address in self.owner_set else "replica"

    @property
    def owner_set(self) -> set[str]:
        """The primaries, as a set."""
        return set(self.owner)

    def tag(self, text: str) -> str:
        """``text``, marked ``(simulated)`` when the view is a simulation."""
        return f"{text} (simulated)" if self.simulated else text

    def node(self, address: str) -> Any:
        """A new plain client on one node: no routing, redirects come back as errors."""
        return self._connect(address)

    def client(self, *, replica_reads: bool = False) -> Any:
        """A routed client (redis-py's RedisCluster, or the routing client in a simulation).

        Args:
            replica_reads: Send reads round-robin to each primary and its replicas (READONLY).
        """
        return self._routed(replica_reads)

    def routing_client(self, follow: FollowRule, *, read_from_replicas: bool = False) -> RoutingClient:
        """redisprep's minimal smart client over this cluster's nodes, redirects followed by ``follow``."""
        return RoutingClient(self.node, self.primaries[:1], follow, read_from_replicas=read_from_replicas)

    def _stat_client(self, address: str) -> Any:
        if address not in self._stats:
            self._stats[address] = self.node(address)
        return self._stats[address]

    def calls(self, command: str = "get") -> dict[str, int]:
        """How many times each node has run ``command`` (``INFO commandstats`` ``calls``)."""
        out = {}
        for address in self.nodes:
            stats = self._stat_client(address).info("commandstats")
            out[address] = int(stats.get(f"cmdstat_{command.lower()}", {}).get("calls", 0))
        return out

    def errors(self, kind: str) -> dict[str, int]:
        """How many ``kind`` error replies (``MOVED``, ``ASK``) each node sent (``INFO errorstats``)."""
        out = {}
        for address in self.nodes:
            stats = self._stat_client(address).info("errorstats")
            out[address] = int(stats.get(f"errorstat_{kind}", {}).get("count", 0))
        return out

    def sync_replicas(self, timeout_s: float = 3.0) -> bool:
        """Wait until every replica has applied what its primary had written when this was called.

        Real replication is asynchronous: a read from a replica right after a write can miss it.
        Each replica's own ``slave_repl_offset`` is compared with its primary's
        ``master_repl_offset`` (the primary's view of its replicas lags by up to a second).
        Returns False if some replica was still behind after ``timeout_s``.
        """
        deadline = time.monotonic() + timeout_s
        for primary, replicas in self.replicas.items():
            target = self._offset(primary, "master_repl_offset")
            for replica in replicas:
                while self._offset(replica, "slave_repl_offset") < target:
                    if time.monotonic() > deadline:
                        return False
                    time.sleep(0.002)
        return True

    def _offset(self, address: str, field: str) -> int:
        """A replication offset from ``INFO replication`` (0 where the simulation has none)."""
        return int(self._stat_client(address).info("replication").get(field, 0))

    def close(self) -> None:
        """Close the per-node clients used for INFO."""
        for client in self._stats.values():
            client.close()
        self._stats.clear()


def open_view(backend: Backend) -> ClusterView:
    """The backend's cluster, or a simulation when the backend is not a cluster."""
    if backend.kind != "cluster":
        why = (
            "the embedded backend is one in-process server"
            if backend.kind == "embedded"
            else f"{backend.label} is not a cluster"
        )
        return simulated_view(why)
    seed = backend.client().get_default_node()

    def connect(address: str) -> Any:
        return backend.node_client(*_split(address))

    def routed(replica_reads: bool) -> Any:
        if not replica_reads:
            return backend.client()
        from redis.cluster import LoadBalancingStrategy

        return backend.client(load_balancing_strategy=LoadBalancingStrategy.ROUND_ROBIN)

    owner, replicas = read_layout(connect(f"{seed.host}:{seed.port}"))
    addresses = [n for p in dict.fromkeys(owner) for n in (p, *replicas.get(p, []))]
    return ClusterView(
        simulated=False,
        label=backend.label,
        reason=None,
        may_reshard=backend.disposable or manager.owns(addresses),
        owner=owner,
        replicas=replicas,
        _connect=connect,
        _routed=routed,
    )


def simulated_view(reason: str) -> ClusterView:
    """A fresh in-process cluster: 3 primaries with 1 replica each."""
    sim = SimCluster(SIM_MASTERS, SIM_REPLICAS)
    first = next(iter(sim.nodes))

    def routed(replica_reads: bool) -> Any:
        return RoutingClient(sim.client, [first], follow_redirect, read_from_replicas=replica_reads)

    owner, replicas = read_layout(sim.client(first))
    return ClusterView(
        simulated=True,
        label=f"simulated cluster: {SIM_MASTERS} primaries, {SIM_REPLICAS} replica each, in-process",
        reason=reason,
        may_reshard=True,
        owner=owner,
        replicas=replicas,
        _connect=sim.client,
        _routed=routed,
    )
