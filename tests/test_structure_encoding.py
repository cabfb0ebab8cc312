"""The encoding helper: OBJECT ENCODING on a live server, and a model that agrees with it (every
server of the matrix)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from redisprep.backends import Backend, delete_namespace
from redisprep.drills._encoding import EncodingConfig, encoding_of, limits_of, model
from redisprep.drills.context import DrillContext
from redisprep.release import Release


@pytest.fixture
def ctx(backend: Backend) -> Iterator[DrillContext]:
    context = DrillContext.create(backend, seed=1)
    yield context
    delete_namespace(backend.client(), context.ns)


def build(ctx: DrillContext) -> dict[str, tuple[str, bool]]:
    """Keys on both sides of each threshold, with the encoding Redis 7.0 gives them."""
    r = ctx.r
    k = ctx.key
    r.set(k("int"), "12345")
    r.set(k("neg"), "-7")
    r.set(k("zero-padded"), "007")
    r.set(k("too-big"), "12345678901234567890")
    r.set(k("e44"), "x" * 44)
    r.set(k("r45"), "x" * 45)
    r.setbit(k("bits"), 3, 1)
    r.hset(k("h512"), mapping={f"f{i}": "v" for i in range(512)})
    r.hset(k("h513"), mapping={f"f{i}": "v" for i in range(513)})
    r.hset(k("h-long"), mapping={"f": "v" * 65})
    r.zadd(k("z128"), {f"m{i}": i for i in range(128)})
    r.zadd(k("z129"), {f"m{i}": i for i in range(129)})
    r.zadd(k("z-long"), {"m" * 65: 1})
    r.sadd(k("s512"), *range(512))
    r.sadd(k("s513"), *range(513))
    r.sadd(k("s-words"), "a", "b")
    r.rpush(k("list"), "a", "b", "c")
    r.xadd(k("stream"), {"f": "v"})
    return {
        k("int"): ("int", False),
        k("neg"): ("int", False),
        k("zero-padded"): ("embstr", False),
        k("too-big"): ("embstr", False),
        k("e44"): ("embstr", False),
        k("r45"): ("raw", False),
        k("bits"): ("raw", True),
        k("h512"): ("listpack", False),
        k("h513"): ("hashtable", False),
        k("h-long"): ("hashtable", False),
        k("z128"): ("listpack", False),
        k("z129"): ("skiplist", False),
        k("z-long"): ("skiplist", False),
        k("s512"): ("intset", False),
        k("s513"): ("hashtable", False),
        k("s-words"): ("hashtable", False),
        k("list"): ("quicklist", False),
        k("stream"): ("stream", False),
    }


def test_model_matches_redis_7_0_thresholds(ctx: DrillContext) -> None:
    cases = build(ctx)
    got = {
        key: model(ctx.r, key, Release.redis(7, 0), EncodingConfig(), changed_in_place=cip)
        for key, (_, cip) in cases.items()
    }
    assert got == {key: want for key, (want, _) in cases.items()}


def test_encoding_is_read_on_a_live_server_and_modelled_on_the_embedded_one(ctx: DrillContext) -> None:
    cases = build(ctx)
    readings = {key: encoding_of(ctx, key, changed_in_place=cip) for key, (_, cip) in cases.items()}
    sources = {r.source for r in readings.values()}
    if ctx.backend.is_simulated:
        assert sources == {"modelled"}  # fakeredis has no OBJECT command
    else:
        assert sources == {"read"}
    if not ctx.backend.is_simulated:
        assert {key: r.name for key, r in readings.items()} == on_this_server(ctx, cases)


def on_this_server(ctx: DrillContext, cases: dict[str, tuple[str, bool]]) -> dict[str, str]:
    """What OBJECT ENCODING says for each case on the server under test (measured on each release
    of the matrix; the cases are written as Redis 7.0 answers)."""
    release = ctx.backend.release
    out = {key: want for key, (want, _) in cases.items()}
    if not release.at_least(Release.redis(7, 0)):  # 6.2: the compact encoding is ziplist
        out = {key: "ziplist" if want == "listpack" else want for key, want in out.items()}
    if release.at_least(Release.redis(7, 2)):  # listpack sets and lists
        out[ctx.key("s-words")] = out[ctx.key("list")] = "listpack"
    if release.at_least(Release.parse("valkey-8.0")):  # the key shares the value's 64 bytes
        for key, want in out.items():
            if want == "embstr" and len(ctx.r.get(key)) + len(key) > 41:
                out[key] = "raw"
    return out


def test_model_knows_what_7_2_changed(ctx: DrillContext) -> None:
    cases = build(ctx)
    words, ints, items = ctx.key("s-words"), ctx.key("s513"), ctx.key("list")
    assert model(ctx.r, words, Release.redis(7, 2), EncodingConfig()) == "listpack"
    assert model(ctx.r, ints, Release.redis(7, 2), EncodingConfig()) == "hashtable"
    assert model(ctx.r, items, Release.redis(7, 2), EncodingConfig()) == "listpack"
    assert cases  # built


def test_limits_come_from_config_get_on_a_live_server(backend: Backend) -> None:
    ctx = DrillContext.create(backend)
    limits = limits_of(ctx)
    if backend.is_simulated:
        assert limits == EncodingConfig()
    else:
        assert limits.read_from_server
        assert limits.zset_max_listpack_entries == 128  # the suite's server runs with defaults
