"""On a real Redis Cluster, deleting a run's keys finds them on every primary and deletes each one,
and nothing else, and ``clean`` deletes a killed grading's ACL user on every node.

In-process (with the cluster the suite starts), so ``make mutate`` judges the cluster branches.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import redis

from redisprep.backends import Backend, Namespace, delete_namespace, scan_raw
from redisprep.cleanup import mark_run, remove_stale_runs
from redisprep.practice.acl import user_name

#: More than two UNLINK batches of 500, spread over every primary's slots.
RUN_KEYS = 1_200
NOT_UTF8 = b"\xff\xfe not utf-8"

pytestmark = pytest.mark.mutate


@pytest.fixture
def primaries(cluster: Any) -> Iterator[list[redis.Redis]]:
    """A plain bytes client on each node (the suite's cluster has no replicas: each is a primary)."""
    nodes = [redis.Redis(port=server.port) for server in cluster.servers]
    yield nodes
    for node in nodes:
        node.close()


def _keys_on(node: redis.Redis, pattern: bytes) -> set[bytes]:
    return set(node.scan_iter(match=pattern, count=1000))


def _plant(backend: Backend, ns: Namespace) -> set[bytes]:
    raw = backend.client(decode_responses=False)
    pipe = raw.pipeline(transaction=False)
    keys = {ns.key("k", str(i)).encode() for i in range(RUN_KEYS)}
    keys.add(ns.prefix.encode() + NOT_UTF8)
    for key in keys:
        pipe.set(key, b"1")
    pipe.execute()
    return keys


def test_scan_raw_returns_each_run_key_once_from_every_primary(
    cluster_backend: Backend, primaries: list[redis.Redis]
) -> None:
    ns = Namespace.new()
    planted = _plant(cluster_backend, ns)
    pattern = ns.prefix.encode() + b"*"
    try:
        per_node = [_keys_on(node, pattern) for node in primaries]
        assert all(per_node) and set().union(*per_node) == planted  # premise: every primary holds some
        for client in (cluster_backend.client(), cluster_backend.client(decode_responses=False)):
            found = list(scan_raw(client, pattern))
            assert all(isinstance(k, bytes) for k in found)
            assert sorted(found) == sorted(planted)  # each key exactly once, the non-UTF-8 one too
    finally:
        delete_namespace(cluster_backend.client(), ns)


def test_delete_namespace_on_a_cluster_removes_every_run_key_and_nothing_else(
    cluster_backend: Backend, primaries: list[redis.Redis]
) -> None:
    client = cluster_backend.client()
    ns, other = Namespace.new(), Namespace.new()
    mark_run(client, ns, "drill leaderboard")
    planted = _plant(cluster_backend, ns)
    theirs = {other.key("a"): "another run", other.marker: "another marker", "user:key": "precious"}
    for key, value in theirs.items():
        client.set(key, value)
    try:
        assert delete_namespace(client, ns) == len(planted)  # the marker not counted
        for node in primaries:
            assert _keys_on(node, ns.prefix.encode() + b"*") == set()
        assert not client.exists(ns.marker)
        assert {key: client.get(key) for key in theirs} == theirs
    finally:
        client.delete(*theirs)


def _users(node: redis.Redis) -> set[bytes]:
    return set(node.execute_command("ACL", "USERS"))


def test_clean_on_a_cluster_deletes_a_killed_gradings_user_on_every_node(
    cluster_backend: Backend, primaries: list[redis.Redis]
) -> None:
    """A grading killed while creating its user may leave it on some nodes only: gone from all."""
    client = cluster_backend.client()
    whole, partial = Namespace.new(now=1_000), Namespace.new(now=1_000)
    for ns in (whole, partial):
        mark_run(client, ns, "practice leaderboard")
        client.set(ns.key("k"), "v")
    mine = {user_name(whole.run_id).encode(), user_name(partial.run_id).encode()}
    for i, node in enumerate(primaries):
        node.execute_command("ACL", "SETUSER", user_name(whole.run_id), "on", f"~{whole.prefix}*", "+@all")
        if i == 1:
            node.execute_command("ACL", "SETUSER", user_name(partial.run_id), "on", f"~{partial.prefix}*")
        node.execute_command("ACL", "SETUSER", "alice", "on", ">theirs", "~*", "+@all")
    before = [_users(node) for node in primaries]
    try:
        report = remove_stale_runs(cluster_backend, older_than_s=60)
        assert report.users == 2
        assert report.removed[whole.run_id] == 1 and report.removed[partial.run_id] == 1
        assert [_users(node) for node in primaries] == [users - mine for users in before]
    finally:
        for node in primaries:
            node.execute_command("ACL", "DELUSER", "alice", *mine)
