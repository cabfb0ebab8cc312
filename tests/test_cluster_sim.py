"""The simulation answers like a real cluster: one scenario, replayed on both, gives the same replies.

When the two differ, the real cluster is the truth; the cluster-marked cases keep the simulation
honest.
"""

from __future__ import annotations

from typing import Any

import pytest
from redis.exceptions import AskError, MovedError, ResponseError

from redisprep.backends import Backend, Namespace, connect
from redisprep.cluster.sim import SimCluster
from redisprep.drills._cluster import ClusterView, open_view, simulated_view
from redisprep.drills.redirection.reshard import Resharder
from redisprep.knowledge.slots import key_slot
from redisprep.release import Release


def _reply(client: Any, roles: dict[str, str], *args: Any) -> str:
    try:
        return repr(client.execute_command(*args))
    except AskError as exc:
        kind = "MOVED" if isinstance(exc, MovedError) else "ASK"
        return f"{kind} {roles[f'{exc.host}:{exc.port}']}"
    except ResponseError as exc:
        return f"{type(exc).__name__}: {exc}"


def migration_scenario(view: ClusterView, ns: Namespace) -> list[str]:
    """Redirect replies before, during and after a half-done migration, with roles for addresses."""
    rs = Resharder(view, ns.prefix)
    tag = rs.empty_tag(lambda i: ns.key("sim", f"{{t{i}}}"))
    moved, stays, new = f"{tag}:moved", f"{tag}:stays", f"{tag}:new"
    slot = key_slot(tag)
    source = view.owner[slot]
    target = next(p for p in view.primaries if p != source)
    roles = {source: "source", target: "target"}
    src, dst = view.node(source), view.node(target)
    out = [
        _reply(src, roles, "MSET", ns.key("a"), "1", ns.key("b"), "2"),
        _reply(src, roles, "SET", moved, "m"),
        _reply(src, roles, "SET", stays, "s"),
        _reply(dst, roles, "GET", moved),
    ]
    try:
        rs.begin(slot, target)
        rs.migrate(slot, [moved])
        out += [
            _reply(src, roles, "GET", moved),
            _reply(src, roles, "GET", stays),
            _reply(src, roles, "GET", new),
            _reply(src, roles, "MGET", moved, stays),
            _reply(dst, roles, "GET", moved),
            _reply(dst, roles, "ASKING"),
            _reply(dst, roles, "GET", moved),
            _reply(dst, roles, "GET", moved),  # ASKING covered one command only
            _reply(src, roles, "CLUSTER SETSLOT", slot, "NODE", rs.node_id(target)).replace(str(slot), "S"),
        ]
    finally:
        rs.restore()
    out += [_reply(src, roles, "GET", moved), str(view.owner[slot] == source)]
    for key in (moved, stays):
        src.execute_command("DEL", key)
    return out


EXPECTED = [
    "ClusterCrossSlotError: Keys in request don't hash to the same slot",
    "True",
    "True",
    "MOVED source",
    "ASK target",
    "'s'",
    "ASK target",
    "TryAgainError: Multiple keys request during rehashing of slot",
    "MOVED source",
    "True",
    "'m'",
    "MOVED source",
    "ResponseError: Can't assign hashslot S to a different node while I still hold keys for this hash slot.",
    "'m'",
    "True",
]


def replica_scenario(view: ClusterView, ns: Namespace) -> list[str]:
    """A replica redirects to its primary, until the connection sends READONLY (reads only)."""
    key = ns.key("replica", "{r}")
    primary = view.owner[key_slot(key)]
    replica = view.replicas[primary][0]
    roles = {primary: "primary", replica: "replica"}
    view.node(primary).execute_command("SET", key, "v")
    view.sync_replicas()
    rep = view.node(replica)
    out = [
        _reply(rep, roles, "GET", key),
        _reply(rep, roles, "READONLY"),
        _reply(rep, roles, "GET", key),
        _reply(rep, roles, "SET", key, "w"),
    ]
    view.node(primary).execute_command("DEL", key)
    return out


REPLICA_EXPECTED = ["MOVED primary", "True", "'v'", "MOVED primary"]


def test_simulation_replays_the_migration_scenario() -> None:
    assert migration_scenario(simulated_view("test"), Namespace.new()) == EXPECTED


def test_simulated_replica_needs_readonly() -> None:
    assert replica_scenario(simulated_view("test"), Namespace.new()) == REPLICA_EXPECTED


def expected_on(release: Release) -> list[str]:
    """The simulation imitates Redis 7.0. A Redis 6.2 source node answers a multi-key request whose
    keys are split between source and target with ASK, where 7.0 answers TRYAGAIN (measured on
    6.2.14 and 7.0.15)."""
    if release.at_least(Release.redis(7, 0)):
        return EXPECTED
    return [*EXPECTED[:7], "ASK target", *EXPECTED[8:]]


@pytest.mark.cluster
def test_real_cluster_gives_the_same_migration_replies(cluster_backend: Backend) -> None:
    replies = migration_scenario(open_view(cluster_backend), Namespace.new())
    assert replies == expected_on(cluster_backend.release)


@pytest.mark.cluster
def test_real_replica_needs_readonly(replicated_cluster: Any) -> None:
    backend = connect(replicated_cluster.url, disposable=True)
    try:
        assert replica_scenario(open_view(backend), Namespace.new()) == REPLICA_EXPECTED
    finally:
        backend.close()


def test_simulated_nodes_count_what_they_ran() -> None:
    sim = SimCluster(3, 1)
    owner = sim.owner[key_slot("foo")]
    node = sim.client(owner)
    node.set("foo", "1")
    node.get("foo")
    other = sim.client(next(n for n in sim.nodes if n != owner and sim.nodes[n].role == "master"))
    with pytest.raises(MovedError):
        other.get("foo")
    assert node.info("commandstats")["cmdstat_get"]["calls"] == 1
    assert other.info("errorstats") == {"errorstat_MOVED": {"count": 1}}
    replica = sim.replicas_of(owner)[0]
    assert replica.store.get("foo") == "1"  # replicated (synchronously, unlike Redis)


def test_node_client_needs_a_cluster(backend: Backend) -> None:
    from redisprep.errors import BackendUnsupportedError

    with pytest.raises(BackendUnsupportedError, match="not a Redis Cluster"):
        backend.node_client("127.0.0.1", 7000)


def test_client_options_reach_the_client(backend: Backend) -> None:
    client = backend.client(decode_responses=False)
    client.set(b"redisprep:opt-test", b"x")
    try:
        assert client.get(b"redisprep:opt-test") == b"x"  # bytes: the option took effect
    finally:
        client.delete(b"redisprep:opt-test")
