"""The memory model against a real redis-server, and ``--url``/``--measure`` as they reach servers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from redisprep.backends import Backend, connect
from redisprep.knowledge.limits import LIMITS_7_0
from redisprep.localserver import LocalServer
from redisprep.release import limits_for
from redisprep.sizing import build_shape, estimate
from redisprep.sizing.calibrate import calibrated_estimate, measure

NO_SERVER = {"REDISPREP_URL": "", "REDIS_URL": ""}
SHAPES = [
    ("string", {"keys": "20k", "key_bytes": "12", "value_bytes": "100"}),
    ("string", {"keys": "20k", "value_bytes": "30", "ttl": True}),
    ("hash", {"keys": "4k", "fields": "5", "field_bytes": "8", "value_bytes": "12"}),
    ("hash", {"fields": "20k", "keys": "1"}),
    ("zset", {"members": "20k"}),
    ("zset", {"keys": "200", "members": "100"}),
    ("set", {"members": "20k"}),
    ("set", {"keys": "200", "members": "100", "member_bytes": "6", "integers": True}),
    ("geo", {"members": "20k"}),
    ("geo", {"keys": "200", "members": "100"}),
]


@pytest.fixture
def owned(fresh_server: LocalServer) -> Iterator[Backend]:
    b = connect(fresh_server.url, disposable=True)
    yield b
    b.close()


@pytest.mark.parametrize(("kind", "given"), SHAPES, ids=[f"{k}-{'-'.join(g)}" for k, g in SHAPES])
def test_the_model_is_within_ten_percent_of_used_memory(
    owned: Backend, kind: str, given: dict[str, Any]
) -> None:
    """On Redis 7.0 with jemalloc; any other server gets the estimate with a note that says so."""
    shape = build_shape(kind, given)
    if limits_for(owned.release) is not LIMITS_7_0:
        notes = " ".join(calibrated_estimate(shape, owned).notes)
        assert "may differ from 7.0's layout" in notes, notes
        return
    predicted = estimate(shape).total_bytes
    measured = measure(owned, shape)
    assert abs(predicted - measured) <= 0.10 * measured, (predicted, measured)
    assert owned.client().dbsize() == shape.keys


def test_url_reads_the_servers_thresholds_and_writes_nothing(fresh_server: LocalServer, invoke: Any) -> None:
    owned = connect(fresh_server.url, disposable=True)
    admin = owned.client()
    admin.config_set("zset-max-ziplist-entries", "2000")  # our own server: a non-default threshold
    result = invoke("size", "zset", "--members", "1000", "--url", fresh_server.url, "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["source"] == "calibrated" and data["encoding"] == limits_for(owned.release).compact
    assert "nothing written" in data["source_detail"]
    assert admin.dbsize() == 0
    assert int(admin.info("commandstats").get("cmdstat_zadd", {}).get("calls", 0)) == 0
    owned.close()


def test_measure_loads_a_sample_on_a_private_server_and_scales_the_model(
    invoke: Any, fresh_server: LocalServer
) -> None:
    """``--measure`` starts its own server (``fresh_server`` only tells which release it will be)."""
    probe = connect(fresh_server.url)
    release = probe.release
    probe.close()
    result = invoke("size", "geo", "--members", "1M", "--measure", "--json", env=NO_SERVER)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["source"] == "measured" and "private redis-server" in data["source_detail"]
    if limits_for(release) is LIMITS_7_0:  # elsewhere the factor is what corrects the 7.0 model
        assert 0.9 <= data["factor"] <= 1.1
    assert data["total_bytes"] == round(data["model_bytes"] * data["factor"])


def test_measuring_refuses_a_server_redisprep_did_not_start(live: Any) -> None:
    from redisprep.errors import ForbiddenCommandError

    theirs = connect(live.url)  # not disposable: as a user's server is
    try:
        with pytest.raises(ForbiddenCommandError):
            measure(theirs, build_shape("string", {"keys": "10"}))
        assert theirs.client().exists("k000000000000000") == 0
    finally:
        theirs.close()
