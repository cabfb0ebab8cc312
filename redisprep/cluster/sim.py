"""A simulated Redis Cluster: in-process fakeredis servers that answer like cluster nodes.

fakeredis has no CLUSTER, READONLY, ASKING, MIGRATE or INFO. Here every simulated node is a
``FakeServer`` behind a client that first does what a cluster node does before running a command:
reject keys in different slots (CROSSSLOT), redirect keys it does not serve (MOVED), send missing
keys of a migrating slot to the target (ASK), accept an importing slot after ASKING, and serve
reads on a replica connection after READONLY. Slots are laid out as ``redis-cli --cluster create``
lays them out. Replies and errors come back as redis-py would parse a real node's (``MovedError``,
``+OK`` as True, no ``ERR`` prefix); ``tests/test_cluster_sim.py`` replays one scenario on both.
Replication is synchronous here (real replication is asynchronous). Everything this module produces
is a simulation and callers must say so.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from redis.commands import CoreCommands
from redis.exceptions import AskError, ClusterCrossSlotError, MovedError, ResponseError, TryAgainError

from redisprep.backends import EMBEDDED_VERSION, PROTOCOL
from redisprep.cluster.slots import READ_COMMANDS, command_keys, default_ranges, owner_table
from redisprep.errors import BackendUnsupportedError
from redisprep.knowledge.slots import key_slot

SIM_VERSION = "7.0.15"
_HOSTS = "abcdefghijklmnopqrstuvwxyz"


@dataclass
class SimNode:
    """One simulated node: its own in-process server, and what it counted."""

    name: str
    """``host:port`` as a client would see it (``sim-a:7001``)."""
    node_id: str
    role: str
    """``master`` or ``replica``."""
    primary: str | None
    store: Any = field(repr=False)
    """A FakeRedis on this node's own FakeServer."""
    calls: Counter[str] = field(default_factory=Counter)
    """Commands executed here, by lower-case name (what INFO commandstats ``calls`` counts)."""
    rejected: Counter[str] = field(default_factory=Counter)
    """Commands refused before running (redirects, CROSSSLOT)."""
    errors: Counter[str] = field(default_factory=Counter)
    """Error replies by prefix (``MOVED``, ``ASK``, ``CROSSSLOT``): INFO errorstats."""


def node_name(index: int) -> str:
    """The address of simulated node ``index`` (0-based): ``sim-a:7001``, ``sim-b:7002``, ..."""
    return f"sim-{_HOSTS[index % len(_HOSTS)]}:{7001 + index}"


def simulated_owners(masters: int = 3) -> list[str]:
    """Slot -> primary of a simulated cluster with ``masters`` primaries (no servers started)."""
    return owner_table((a, b, node_name(i)) for i, (a, b) in enumerate(default_ranges(masters)))


class SimCluster:
    """Several simulated nodes, the slot layout, and slots in migration."""

    def __init__(self, masters: int = 3, replicas: int = 1) -> None:
        import fakeredis

        self.nodes: dict[str, SimNode] = {}
        primaries: list[str] = []
        for i in range(masters * (1 + replicas)):
            name = node_name(i)
            primary = None if i < masters else primaries[(i - masters) % masters]
            store = fakeredis.FakeRedis(
                server=fakeredis.FakeServer(version=EMBEDDED_VERSION),
                decode_responses=True,
                protocol=PROTOCOL,
            )
            node_id = hashlib.sha1(name.encode()).hexdigest()
            role = "master" if primary is None else "replica"
            self.nodes[name] = SimNode(name, node_id, role, primary, store)
            if primary is None:
                primaries.append(name)
        self.owner: list[str] = simulated_owners(masters)
        self.migrating: dict[int, str] = {}
        """Slot -> target node, as the source (the owner) sees it."""
        self.importing: dict[int, str] = {}
        """Slot -> the node importing it."""

    def client(self, name: str) -> SimNodeClient:
        """A plain client on one node (one connection: READONLY and ASKING stick to it)."""
        return SimNodeClient(self, self.nodes[name])

    def by_id(self, node_id: str) -> SimNode:
        """The node with this id."""
        for node in self.nodes.values():
            if node.node_id == node_id:
                return node
        raise ResponseError(f"I don't know about node {node_id}")

    def replicas_of(self, primary: str) -> list[SimNode]:
        """The replicas of ``primary``."""
        return [n for n in self.nodes.values() if n.primary == primary]

    def slots_reply(self) -> list[list[Any]]:
        """What ``CLUSTER SLOTS`` answers: ranges with their primary first, then replicas."""
        out: list[list[Any]] = []
        start = 0
        for slot in range(1, len(self.owner) + 1):
            if slot == len(self.owner) or self.owner[slot] != self.owner[start]:
                members = [self.nodes[self.owner[start]], *self.replicas_of(self.owner[start])]
                out.append([start, slot - 1, *([*_host_port(n.name), n.node_id, {}] for n in members)])
                start = slot
        return out


def _host_port(name: str) -> tuple[str, int]:
    host, _, port = name.rpartition(":")
    return host, int(port)


class SimNodeClient(CoreCommands):  # type: ignore[misc]
    """redis-py's command methods over one simulated node; nothing here opens a socket."""

    def __init__(self, cluster: SimCluster, node: SimNode) -> None:
        self.cluster = cluster
        self.node = node
        self.readonly = False
        self.asking = False

    def close(self) -> None:
        """Nothing to close."""

    def pipeline(self, *args: Any, **kwargs: Any) -> Any:
        """Not available: the cluster simulation sends one command at a time."""
        raise BackendUnsupportedError("the cluster simulation has no pipelines")

    def execute_command(self, *args: Any, **options: Any) -> Any:
        """Answer ``args`` as the node would."""
        argv = [*str(args[0]).split(), *args[1:]]
        name = str(argv[0]).upper()
        if name in ("READONLY", "READWRITE"):
            self.readonly = name == "READONLY"
            return True  # redis-py turns +OK into True for these
        if name == "ASKING":
            self.asking = True
            return True
        if name == "PING":
            return True
        if name == "CLUSTER":
            return self._cluster(str(argv[1]).upper(), argv[2:])
        if name == "INFO":
            return self._info(str(argv[1]).lower() if len(argv) > 1 else "all")
        if name == "MIGRATE":
            return self._migrate(argv[1:])
        keys = command_keys(argv)
        if keys is None:
            raise BackendUnsupportedError(f"the cluster simulation does not run {name}")
        asking, self.asking = self.asking, False
        if keys:
            self._route(name, keys, asking)
        reply = self.node.store.execute_command(*args, **options)
        self.node.calls[name.lower()] += 1
        if name not in READ_COMMANDS:
            for replica in self.cluster.replicas_of(self.node.name):
                replica.store.execute_command(*args, **options)
        return reply

    def _refuse(self, name: str, error: ResponseError, prefix: str) -> None:
        self.node.rejected[name.lower()] += 1
        self.node.errors[prefix] += 1
        raise error

    def _route(self, name: str, keys: Sequence[str], asking: bool) -> None:
        """Raise the error a cluster node would reply with instead of running the command."""
        slots = {key_slot(k) for k in keys}
        if len(slots) > 1:
            crossslot = ClusterCrossSlotError("Keys in request don't hash to the same slot")
            self._refuse(name, crossslot, "CROSSSLOT")
        slot = slots.pop()
        owner = self.cluster.owner[slot]
        node = self.node
        if node.role == "replica":
            if node.primary == owner and self.readonly and name in READ_COMMANDS:
                return
            self._refuse(name, MovedError(f"{slot} {owner}"), "MOVED")
        if owner == node.name:
            target = self.cluster.migrating.get(slot)
            if target is None:
                return
            present = sum(1 for k in keys if node.store.exists(k))
            if present == len(keys):
                return
            if present:
                split = TryAgainError("Multiple keys request during rehashing of slot")
                self._refuse(name, split, "TRYAGAIN")
            self._refuse(name, AskError(f"{slot} {target}"), "ASK")
        if asking and self.cluster.importing.get(slot) == node.name:
            return
        self._refuse(name, MovedError(f"{slot} {owner}"), "MOVED")

    def _cluster(self, sub: str, args: Sequence[Any]) -> Any:
        if sub == "KEYSLOT":
            return key_slot(str(args[0]))
        if sub == "MYID":
            return self.node.node_id
        if sub == "SLOTS":
            return self.cluster.slots_reply()
        if sub == "COUNTKEYSINSLOT":
            return len(self._keys_in_slot(int(args[0])))
        if sub == "GETKEYSINSLOT":
            return self._keys_in_slot(int(args[0]))[: int(args[1])]
        if sub == "SETSLOT":
            return self._setslot(int(args[0]), str(args[1]).upper(), [str(a) for a in args[2:]])
        raise BackendUnsupportedError(f"the cluster simulation does not run CLUSTER {sub}")

    def _keys_in_slot(self, slot: int) -> list[str]:
        return sorted(k for k in self.node.store.scan_iter(count=1000) if key_slot(k) == slot)

    def _setslot(self, slot: int, how: str, args: list[str]) -> str:
        cluster, node = self.cluster, self.node
        if how == "IMPORTING":
            if cluster.owner[slot] == node.name:
                raise ResponseError(f"I'm already the owner of hash slot {slot}")
            cluster.importing[slot] = node.name
        elif how == "MIGRATING":
            if cluster.owner[slot] != node.name:
                raise ResponseError(f"I'm not the owner of hash slot {slot}")
            cluster.migrating[slot] = cluster.by_id(args[0]).name
        elif how == "STABLE":
            if cluster.owner[slot] == node.name:
                cluster.migrating.pop(slot, None)
            if cluster.importing.get(slot) == node.name:
                del cluster.importing[slot]
        elif how == "NODE":
            target = cluster.by_id(args[0])
            if cluster.owner[slot] == node.name and target.name != node.name and self._keys_in_slot(slot):
                raise ResponseError(
                    f"Can't assign hashslot {slot} to a different node while I still hold keys for "
                    "this hash slot."
                )
            cluster.owner[slot] = target.name
            cluster.migrating.pop(slot, None)
            cluster.importing.pop(slot, None)
        else:
            raise ResponseError(f"Invalid CLUSTER SETSLOT action {how}")
        return "OK"

    def _migrate(self, args: Sequence[Any]) -> str:
        """``MIGRATE host port "" db timeout KEYS k...``: DUMP here, RESTORE there, delete here."""
        host, port = str(args[0]), int(args[1])
        keys = [str(k) for k in args[args.index("KEYS") + 1 :]] if "KEYS" in args else [str(args[2])]
        target = self.cluster.nodes[f"{host}:{port}"]
        moved = 0
        for key in keys:
            payload = self.node.store.dump(key)
            if payload is None:
                continue
            ttl = max(0, int(self.node.store.pttl(key)))
            for dest in (target, *self.cluster.replicas_of(target.name)):
                dest.store.restore(key, ttl, payload, replace=True)
            for src in (self.node, *self.cluster.replicas_of(self.node.name)):
                src.store.delete(key)
            moved += 1
        self.node.calls["migrate"] += 1
        return "OK" if moved else "NOKEY"

    def _info(self, section: str) -> dict[str, Any]:
        node = self.node
        if section == "commandstats":
            names = set(node.calls) | set(node.rejected)
            return {
                f"cmdstat_{n}": {"calls": node.calls[n], "rejected_calls": node.rejected[n]}
                for n in sorted(names)
            }
        if section == "errorstats":
            return {f"errorstat_{k}": {"count": v} for k, v in sorted(node.errors.items())}
        if section == "replication":
            if node.role == "master":
                return {"role": "master", "connected_slaves": len(self.cluster.replicas_of(node.name))}
            return {"role": "slave", "master_link_status": "up"}
        if section == "server":
            return {"redis_version": SIM_VERSION, "redis_mode": "cluster (simulated)"}
        raise BackendUnsupportedError(f"the cluster simulation has no INFO {section}")
