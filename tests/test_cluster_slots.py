"""Slot maths: CRC16 mod 16384 and hash tags agree with redis-py and with a real CLUSTER KEYSLOT."""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from redis.crc import key_slot as redis_py_key_slot

from redisprep.backends import Backend
from redisprep.cluster.router import read_layout
from redisprep.cluster.sim import simulated_owners
from redisprep.cluster.slots import default_ranges, slot_report
from redisprep.knowledge.slots import SLOTS, hash_tag, key_slot


@pytest.mark.parametrize(
    ("key", "slot", "tag"),
    [
        ("123456789", 0x31C3, None),  # the cluster spec's CRC16 test vector
        ("foo", 12182, None),
        ("bar", 5061, None),
        ("{user1000}.following", 3443, "user1000"),
        ("{user1000}.followers", 3443, "user1000"),
        ("foo{}{bar}", key_slot("foo{}{bar}"), None),  # empty first tag: the whole key is hashed
        ("foo{{bar}}zap", key_slot("{bar"), "{bar"),
        ("foo{bar}{zap}", key_slot("bar"), "bar"),
        ("user:{42}:profile", 8000, "42"),
    ],
)
def test_known_slots_and_tags(key: str, slot: int, tag: str | None) -> None:
    assert key_slot(key) == slot
    assert hash_tag(key) == tag


@given(st.binary(max_size=40))
def test_agrees_with_redis_py_for_any_bytes(key: bytes) -> None:
    assert key_slot(key) == redis_py_key_slot(key)


@given(st.text(alphabet="ab{}:", max_size=12))
def test_agrees_with_redis_py_on_brace_heavy_keys(key: str) -> None:
    assert key_slot(key) == redis_py_key_slot(key.encode())


def test_default_ranges_match_redis_cli_for_3_masters_and_cover_every_slot() -> None:
    assert default_ranges(3) == [(0, 5460), (5461, 10922), (10923, 16383)]
    for masters in range(3, 31):
        ranges = default_ranges(masters)
        assert ranges[0][0] == 0 and ranges[-1][1] == SLOTS - 1
        assert all(a[1] + 1 == b[0] for a, b in zip(ranges, ranges[1:], strict=False))
        sizes = [b - a + 1 for a, b in ranges]
        assert max(sizes) - min(sizes) <= 1


def test_report_says_whether_keys_fit_one_command() -> None:
    owners = simulated_owners(3)
    tagged = slot_report(["{user:1000}:a", "{user:1000}:b"], owners.__getitem__, "sim", simulated=True)
    assert tagged.same_slot and tagged.slots == (1649,)
    assert [k.owner for k in tagged.keys] == ["sim-a:7001", "sim-a:7001"]
    untagged = slot_report(["user:1000:a", "user:1000:b"])
    assert not untagged.same_slot and untagged.keys[0].owner is None


def _keys(n: int) -> list[str]:
    rng = random.Random(5)
    shapes = ("{0}", "x{{{0}}}y", "{{{0}}}", "a{{}}{{{0}}}", "{{{{{0}}}}}", "{0}{{")
    return [rng.choice(shapes).format(rng.getrandbits(32)) for _ in range(n)]


@pytest.mark.cluster
def test_slots_agree_with_cluster_keyslot(cluster_backend: Backend, cluster: Any) -> None:
    node = cluster_backend.node_client("127.0.0.1", cluster.servers[1].port)
    keys = _keys(300) + ["123456789", "foo{}{bar}", "foo{{bar}}zap", "user:{42}:profile"]
    theirs = [int(node.execute_command("CLUSTER KEYSLOT", k)) for k in keys]
    assert [key_slot(k) for k in keys] == theirs


@pytest.mark.cluster
def test_simulated_layout_is_the_layout_redis_cli_creates(cluster_backend: Backend, cluster: Any) -> None:
    node = cluster_backend.node_client("127.0.0.1", cluster.servers[0].port)
    owners, replicas = read_layout(node)
    first_node_of = {owner: i for i, owner in enumerate(dict.fromkeys(owners))}
    simulated = simulated_owners(3)
    assert [first_node_of[o] for o in owners] == [int(s[-1]) - 1 for s in simulated]
    assert replicas == {a: [] for a in cluster.addresses}


def test_cli_slot_without_a_cluster_uses_the_simulated_layout(invoke: Any, tmp_path: Any) -> None:
    result = invoke("cluster", "slot", "{user:1000}:a", "{user:1000}:b", env={"XDG_DATA_HOME": str(tmp_path)})
    assert result.exit_code == 0, result.stderr
    assert "1649" in result.stdout and "sim-a:7001" in result.stdout
    assert "simulated" in result.stdout
    assert "together in one command: yes" in result.stdout


def test_cli_slot_json_says_crossslot(invoke: Any, tmp_path: Any) -> None:
    import json

    result = invoke("cluster", "slot", "a", "b", "--json", env={"XDG_DATA_HOME": str(tmp_path)})
    doc = json.loads(result.stdout)
    assert doc["same_slot"] is False and doc["simulated"] is True
    assert [k["slot"] for k in doc["keys"]] == [15495, 3300]


@pytest.mark.cluster
def test_cli_slot_on_a_cluster_shows_owner_and_server_slot(invoke: Any, cluster: Any) -> None:
    import json

    url = f"redis://127.0.0.1:{cluster.servers[2].port}"
    result = invoke("cluster", "slot", "foo", "bar", "--url", url, "--json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["simulated"] is False
    assert [k["server_slot"] for k in doc["keys"]] == [12182, 5061]
    assert [k["node"] for k in doc["keys"]] == [cluster.addresses[2], cluster.addresses[0]]
