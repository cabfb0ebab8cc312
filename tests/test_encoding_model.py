"""The encoding model agrees with OBJECT ENCODING at every threshold, on every server of the matrix.

Each case builds the same key on the embedded backend (where explain models Redis 7.0) and on the
live server the suite starts (where explain reads it), sends one traced command, and compares what
explain reports on both with the encoding each release was measured to give: Redis 7.0.15
(reference section 6), 6.2.14 and Valkey 8.1.8 (ELSEWHERE). The model of the live server's own
release must give the same answer there.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from redisprep.backends import Backend, Namespace, connect, delete_namespace
from redisprep.explain.encoding import Contents, model_encoding
from redisprep.explain.key_inspectors import EmbeddedInspector
from redisprep.explain.memory import model_memory, score_text, size_class
from redisprep.explain.observer import Explainer
from redisprep.explain.tracing import Tracer
from redisprep.knowledge.limits import LIMITS_7_0, LIMITS_7_2, LIMITS_VALKEY_8
from redisprep.release import Release, limits_for

LONG = "m" * 65


def _zset(n: int) -> list[tuple[Any, ...]]:
    return [("ZADD", "k", *[x for i in range(n) for x in (i, f"member:{i:04d}")])] if n else []


def _hash(n: int) -> list[tuple[Any, ...]]:
    return [("HSET", "k", *[x for i in range(n) for x in (f"field:{i:04d}", f"v{i}")])] if n else []


def _ints(n: int) -> list[tuple[Any, ...]]:
    return [("SADD", "k", *range(n))] if n else []


# (case id, setup commands, the traced command, encoding before, encoding after), as Redis 7.0 does it.
CASES = [
    ("zset 128 entries", _zset(127), ("ZADD", "k", 127, "member:0127"), "listpack", "listpack"),
    ("zset 129 entries", _zset(128), ("ZADD", "k", 128, "member:0128"), "listpack", "skiplist"),
    ("zset 64-byte member", [], ("ZADD", "k", 1, "m" * 64), None, "listpack"),
    ("zset 65-byte member", _zset(3), ("ZADD", "k", 1, LONG), "listpack", "skiplist"),
    (
        "zset stays skiplist when it shrinks",
        _zset(129),
        ("ZREMRANGEBYRANK", "k", 0, 99),
        "skiplist",
        "skiplist",
    ),
    ("hash 512 fields", _hash(511), ("HSET", "k", "field:0511", "v"), "listpack", "listpack"),
    ("hash 513 fields", _hash(512), ("HSET", "k", "field:0512", "v"), "listpack", "hashtable"),
    ("hash 65-byte value", _hash(2), ("HSET", "k", "f", LONG), "listpack", "hashtable"),
    ("hash 64-byte field", [], ("HSET", "k", "f" * 64, "v"), None, "listpack"),
    ("set 512 integers", _ints(511), ("SADD", "k", 511), "intset", "intset"),
    ("set 513 integers", _ints(512), ("SADD", "k", 512), "intset", "hashtable"),
    ("set gets a string member", _ints(3), ("SADD", "k", "alice"), "intset", "hashtable"),
    ("set of strings (no listpack sets in 7.0)", [], ("SADD", "k", "a", "b"), None, "hashtable"),
    (
        "set of 129 strings",
        [("SADD", "k", *(f"s{i}" for i in range(128)))],
        ("SADD", "k", "s128"),
        "hashtable",
        "hashtable",
    ),
    ("string 44 bytes", [], ("SET", "k", "x" * 44), None, "embstr"),
    ("string 45 bytes", [], ("SET", "k", "x" * 45), None, "raw"),
    ("string 13 bytes with a TTL", [], ("SET", "k", "x" * 13, "EX", 100), None, "embstr"),
    ("string 14 bytes with a TTL", [], ("SET", "k", "x" * 14, "EX", 100), None, "embstr"),
    ("string integer", [("SET", "k", "x")], ("SET", "k", "12345"), "embstr", "int"),
    ("string with leading zero", [], ("SET", "k", "0123"), None, "embstr"),
    ("INCR makes an integer", [("SET", "k", "41")], ("INCR", "k"), "int", "int"),
    ("APPEND makes a raw string", [("SET", "k", "abc")], ("APPEND", "k", "d"), "embstr", "raw"),
    ("INCRBYFLOAT stores text", [("SET", "k", "1.5")], ("INCRBYFLOAT", "k", "0.5"), "embstr", "embstr"),
    ("list (always quicklist in 7.0)", [], ("RPUSH", "k", "a", "b", "c"), None, "quicklist"),
    (
        "list of 1023 items in one push",
        [],
        ("RPUSH", "k", *(f"item{i:04d}" for i in range(1023))),
        None,
        "quicklist",
    ),
    (
        "list of 1024 items in one push",
        [],
        ("RPUSH", "k", *(f"item{i:04d}" for i in range(1024))),
        None,
        "quicklist",
    ),
    ("stream", [], ("XADD", "k", "*", "f", "v"), None, "stream"),
]

# Where another release of the matrix answers differently from Redis 7.0 (measured on 6.2.14 and
# Valkey 8.1.8): case id -> {release: (before, after)}, each release's entry holding until the next.
# The key is the run's namespace plus "k": 28 bytes, which matters to Valkey 8's strings (a value
# stays embstr while value + key <= 41 bytes).
ELSEWHERE: dict[str, dict[str, tuple[str | None, str]]] = {
    "zset 128 entries": {"redis-6.0": ("ziplist", "ziplist")},
    "zset 129 entries": {"redis-6.0": ("ziplist", "skiplist")},
    "zset 64-byte member": {"redis-6.0": (None, "ziplist")},
    "zset 65-byte member": {"redis-6.0": ("ziplist", "skiplist")},
    "hash 512 fields": {"redis-6.0": ("ziplist", "ziplist")},
    "hash 513 fields": {"redis-6.0": ("ziplist", "hashtable")},
    "hash 65-byte value": {"redis-6.0": ("ziplist", "hashtable")},
    "hash 64-byte field": {"redis-6.0": (None, "ziplist")},
    "set gets a string member": {"redis-7.2": ("intset", "listpack")},
    "set of strings (no listpack sets in 7.0)": {"redis-7.2": (None, "listpack")},
    "set of 129 strings": {"redis-7.2": ("listpack", "hashtable")},
    "string 44 bytes": {"valkey-8.0": (None, "raw")},
    "string 14 bytes with a TTL": {"valkey-8.0": (None, "raw")},
    "list (always quicklist in 7.0)": {"redis-7.2": (None, "listpack")},
    # 7.2 checks the pushed elements' raw lengths (8 bytes each) against 8 KB, not their listpack
    # entries (10 bytes each): 1023 of them stay one listpack of 10 KB.
    "list of 1023 items in one push": {"redis-7.2": (None, "listpack")},
}


def expected(case: str, before: str | None, after: str, release: Release) -> tuple[str | None, str]:
    """What OBJECT ENCODING says before and after on ``release``."""
    table = {Release.redis(7, 0): (before, after)}
    table.update({Release.parse(name): pair for name, pair in ELSEWHERE.get(case, {}).items()})
    return release.pick(table) or (before, after)


@pytest.fixture
def both(live: Any) -> Iterator[dict[str, Backend]]:
    backends = {"embedded": connect(None), "live": connect(live.url)}
    yield backends
    for b in backends.values():
        b.close()


def _run(backend: Backend, ns: Namespace, setup: list[tuple[Any, ...]], command: tuple[Any, ...]) -> Any:
    plain = backend.client()
    for args in setup:
        plain.execute_command(*[ns.key("k") if a == "k" else a for a in args])
    explainer = Explainer(backend)
    traced = Tracer(observer=explainer).attach(backend.client())
    traced.execute_command(*[ns.key("k") if a == "k" else a for a in command])
    (note,) = explainer.notes.values()
    return note, explainer


@pytest.mark.live
@pytest.mark.parametrize(("case", "setup", "command", "before", "after"), CASES, ids=[c[0] for c in CASES])
def test_model_agrees_with_live_object_encoding(
    both: dict[str, Backend],
    case: str,
    setup: list[tuple[Any, ...]],
    command: tuple[Any, ...],
    before: str | None,
    after: str,
) -> None:
    """The embedded backend models Redis 7.0; on the live server explain reads OBJECT ENCODING, and
    the model of that server's release (what explain predicts for a write it does not run, and what
    the structure drills narrate) gives the same answer."""
    live = both["live"]
    want = expected(case, before, after, live.release)
    seen = {}
    for kind, backend in both.items():
        ns = Namespace.new()
        try:
            note, _ = _run(backend, ns, setup, command)
            (key,) = note.keys
            seen[kind] = (key.before.encoding, key.after.encoding, key.after.source)
            if kind == "live":
                modelled = EmbeddedInspector(backend.client(), limits_for(live.release)).states(
                    [key.key], op=str(command[0]), previous={key.key: key.before.encoding}
                )
                seen["model of the live release"] = (want[0], modelled[key.key].encoding, "read")
        finally:
            delete_namespace(backend.client(), ns)
    assert seen["live"] == (*want, "read"), (case, str(live.release))
    assert seen["model of the live release"] == (*want, "read"), (case, str(live.release))
    assert seen["embedded"] == (before, after, "modelled"), case


@pytest.mark.live
def test_the_conversion_is_reported_with_its_ordinal_and_memory(both: dict[str, Backend]) -> None:
    compact = expected("zset 129 entries", "listpack", "skiplist", both["live"].release)[0]
    for kind, backend in both.items():
        ns = Namespace.new()
        try:
            _, explainer = _run(backend, ns, _zset(128), ("ZADD", "k", 128, "member:0128"))
        finally:
            delete_namespace(backend.client(), ns)
        (change,) = explainer.changes
        assert (change.command, change.before.encoding, change.after.encoding) == (
            "ZADD",
            "listpack" if kind == "embedded" else compact,
            "skiplist",
        )
        assert change.before.size == 128 and change.after.size == 129
        ratio = change.memory_ratio
        # Measured: 128 members of 11 bytes take about 2 KB compact and 12 to 16 KB as a skiplist
        # (x7.6 on Redis 7.0.15 and 6.2.14, x6.0 on Valkey 8.1.8).
        assert ratio is not None and 4 < ratio < 12, (kind, ratio)


# Bytes that MEMORY USAGE SAMPLES 0 reports on Redis 7.0.15 must match the model within 15% (the gap
# is a dict still rehashing right after it doubled, which the model does not follow).
MEMORY_CASES = [
    ("string int", [("SET", "k", "123")]),
    ("string 44", [("SET", "k", "x" * 44)]),
    ("string 200", [("SET", "k", "x" * 200)]),
    ("zset 128", _zset(128)),
    ("zset 1000", _zset(1000)),
    ("hash 512", _hash(512)),
    ("hash 600", _hash(600)),
    ("intset 512", _ints(512)),
    ("set 600 ints", _ints(600)),
    ("list 1000", [("RPUSH", "k", *[f"item{i}" for i in range(1000)])]),
]


@pytest.mark.live
@pytest.mark.parametrize(("case", "setup"), MEMORY_CASES, ids=[c[0] for c in MEMORY_CASES])
def test_memory_model_is_close_to_live_memory_usage(
    live: Any, case: str, setup: list[tuple[Any, ...]]
) -> None:
    """The memory model is Redis 7.0's (with jemalloc): within 15% of MEMORY USAGE there, and on
    any other release it declines (explain reads MEMORY USAGE on a live server anyway)."""
    backend = connect(live.url)
    r = backend.client()
    ns = Namespace.new()
    key = ns.key("k")
    limits = limits_for(backend.release)
    try:
        for args in setup:
            r.execute_command(*[key if a == "k" else a for a in args])
        kind = r.type(key)
        contents = _contents(r, key, kind)
        encoding = model_encoding(contents, limits)
        assert encoding == r.object("encoding", key)
        measured = r.memory_usage(key, samples=0)
        modelled = model_memory(contents, encoding, key, limits)
        if limits is not LIMITS_7_0:
            assert modelled is None, (case, str(backend.release))
            return
        allocator = str(r.info("memory").get("mem_allocator", ""))
        if not allocator.startswith("jemalloc"):
            pytest.skip(f"the memory model assumes jemalloc; this Redis 7.0 uses {allocator}")
        assert modelled is not None
        assert abs(modelled / measured - 1) <= 0.15, (case, modelled, measured)
    finally:
        delete_namespace(r, ns)
        backend.close()


def _contents(r: Any, key: str, kind: str) -> Contents:
    if kind == "string":
        value = r.get(key)
        return Contents(kind, len(value), ((value,),))
    if kind == "zset":
        return Contents(
            kind, r.zcard(key), tuple((m, score_text(s)) for m, s in r.zrange(key, 0, -1, withscores=True))
        )
    if kind == "hash":
        return Contents(kind, r.hlen(key), tuple(r.hgetall(key).items()))
    if kind == "set":
        return Contents(kind, r.scard(key), tuple((m,) for m in r.smembers(key)))
    return Contents(kind, r.llen(key), tuple((i,) for i in r.lrange(key, 0, -1)))


@pytest.mark.parametrize(
    ("contents", "limits", "previous", "want"),
    [
        # 7.2 added listpack sets: up to 128 members of up to 64 bytes (redis.conf 7.2.0).
        (Contents("set", 2, (("a",), ("b",))), LIMITS_7_2, None, "listpack"),
        (Contents("set", 129, tuple((f"m{i}",) for i in range(129))), LIMITS_7_2, None, "hashtable"),
        (Contents("set", 3, (("1",), ("2",), ("x",))), LIMITS_7_2, "intset", "listpack"),
        (
            Contents("set", 300, tuple((str(i),) for i in range(299)) + (("x",),)),
            LIMITS_7_2,
            "intset",
            "hashtable",
        ),
        (Contents("set", 2, (("a",), ("b",))), LIMITS_7_0, None, "hashtable"),
        # 7.2 lists are one listpack until 8 KB, and go back only below half of that.
        (Contents("list", 3, (("a",), ("b",), ("c",))), LIMITS_7_2, None, "listpack"),
        (Contents("list", 3, (("a",), ("b",), ("c",))), LIMITS_7_2, "quicklist", "listpack"),
        (Contents("list", 500, tuple(("x" * 10,) for _ in range(500))), LIMITS_7_2, "quicklist", "quicklist"),
        (Contents("list", 500, tuple(("x" * 10,) for _ in range(500))), LIMITS_7_2, None, "listpack"),
        (Contents("list", 900, tuple(("x" * 10,) for _ in range(900))), LIMITS_7_2, None, "quicklist"),
    ],
)
def test_thresholds_differ_between_7_0_and_7_2(
    contents: Contents, limits: Any, previous: str | None, want: str
) -> None:
    assert model_encoding(contents, limits, previous) == want


def test_versions_pick_their_thresholds() -> None:
    assert limits_for(Release.redis(7, 0, 15)) is LIMITS_7_0
    assert (
        limits_for(Release.redis(7, 2, 4)) is LIMITS_7_2 and limits_for(Release.redis(7, 4, 0)) is LIMITS_7_2
    )
    assert limits_for(Release.redis(6, 2, 14)).compact == "ziplist"
    valkey = Release.from_info({"redis_version": "7.2.4", "server_name": "valkey", "valkey_version": "8.1.8"})
    assert limits_for(valkey) is LIMITS_VALKEY_8
    assert limits_for(Release.parse("valkey-7.2")) is LIMITS_7_2


def test_jemalloc_size_classes() -> None:
    assert [size_class(n) for n in (1, 9, 21, 64, 65, 129, 2042, 10027)] == [
        8,
        16,
        32,
        64,
        80,
        160,
        2048,
        10240,
    ]
