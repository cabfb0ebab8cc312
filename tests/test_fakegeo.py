"""The embedded backend answers geo commands as Redis does (scores, order), patched only while needed."""

from __future__ import annotations

import random
from typing import Any

import pytest
import redis

from redisprep import fakegeo
from redisprep.backends import connect
from redisprep.localserver import LocalServer


def test_embedded_geo_scores_are_the_52_bit_integer_redis_returns() -> None:
    backend = connect(None)
    r = backend.client()
    r.geoadd("g", (13.361389, 38.115556, "palermo", 15.087269, 37.502669, "catania"))
    assert r.zscore("g", "palermo") == 3479099956230698.0  # the GEOADD docs' value on Redis 7
    assert r.geohash("g", "palermo", "catania") == ["sqc8b49rny0", "sqdtr74hyu0"]
    assert abs(float(r.geodist("g", "palermo", "catania")) - 166274.1516) < 0.01
    assert r.zrangebyscore("g", 3479099956230698, 3479099956230698) == ["palermo"]
    backend.close()


def test_the_patch_is_applied_only_while_fakeredis_stores_text() -> None:
    connect(None).close()
    # Once installed (or once fakeredis ships the fix) the probe sees numbers, so nothing is patched twice.
    assert not fakegeo.scores_are_text()


def _order_of(r: Any, *options: Any) -> str:
    """How a GEOSEARCH reply with ``options`` is ordered: by distance up, down, or neither."""
    reply = r.execute_command(
        "GEOSEARCH", "g", "FROMLONLAT", 13, 38, "BYRADIUS", 20, "km", "WITHDIST", *options
    )
    d = [float(hit[1]) for hit in reply]
    return (
        "nearest first"
        if d == sorted(d)
        else "farthest first"
        if d == sorted(d, reverse=True)
        else "unsorted"
    )


def _places(r: Any) -> None:
    rng = random.Random(1)
    r.geoadd(
        "g",
        [
            v
            for i in range(50)
            for v in (13 + rng.uniform(-0.05, 0.05), 38 + rng.uniform(-0.05, 0.05), f"p{i}")
        ],
    )


#: Redis sorts a geo reply only when asked (ASC, DESC) or when COUNT without ANY needs the nearest N.
ORDERS = {
    (): "unsorted",
    ("ASC",): "nearest first",
    ("DESC",): "farthest first",
    ("COUNT", 5): "nearest first",
    ("COUNT", 45, "ANY"): "unsorted",
}


@pytest.mark.parametrize(("options", "order"), ORDERS.items(), ids=lambda v: " ".join(map(str, v)) or "-")
def test_the_embedded_backend_sorts_a_geo_reply_only_when_redis_would(
    options: tuple[Any, ...], order: str
) -> None:
    """Code that forgets ASC must fail on the embedded backend as it does on Redis, not pass by luck."""
    backend = connect(None)
    try:
        r = backend.client()
        _places(r)
        assert _order_of(r, *options) == order
        georadius = r.execute_command("GEORADIUS", "g", 13, 38, 20, "km", "WITHDIST", *options)
        d = [float(hit[1]) for hit in georadius]
        assert (d == sorted(d)) == (order == "nearest first")
    finally:
        backend.close()


def test_a_member_named_like_an_option_does_not_ask_for_an_order() -> None:
    backend = connect(None)
    try:
        r = backend.client()
        _places(r)
        r.geoadd("g", (13.0, 38.0, "ASC"))
        for command in (
            ("GEOSEARCH", "g", "FROMMEMBER", "ASC", "BYRADIUS", 20, "km", "WITHDIST"),
            ("GEORADIUSBYMEMBER", "g", "ASC", 20, "km", "WITHDIST"),
        ):
            d = [float(hit[1]) for hit in r.execute_command(*command)]
            assert d != sorted(d), command[0]
    finally:
        backend.close()


@pytest.mark.live
def test_the_geo_orders_are_what_the_live_server_answers(fresh_server: LocalServer) -> None:
    """The table above is Redis's behaviour, checked against the server under test."""
    r = redis.Redis.from_url(fresh_server.url, decode_responses=True)
    try:
        _places(r)
        assert {options: _order_of(r, *options) for options in ORDERS} == ORDERS
    finally:
        r.delete("g")
        r.close()
