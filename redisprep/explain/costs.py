"""Per command: which arguments are keys, what its N and M are for one call, and the work formula.

Each letter follows the command's documented complexity (``commands.json``): for ``ZRANGE`` the
docs say "N being the number of elements in the sorted set and M the number of elements returned",
so N is ``ZCARD`` of the key just before the call and M the length of the reply. ``items`` counts
what one call handles where the docs say "for each item". The work formula is the documented Big-O
with those numbers filled in (constants ignored): an order of magnitude, not a time.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field

from redisprep.explain import measures as m
from redisprep.explain.measures import NO_KEYS, KeySpec, Measure


@dataclass(frozen=True, slots=True)
class CostSpec:
    """How to cost one command."""

    keys: KeySpec = NO_KEYS
    vars: Mapping[str, Measure] = field(default_factory=dict)
    work: str = "1"
    """The Big-O with letters from :attr:`vars` (``log(N)+M``); ``log`` is base 2."""
    reads: bool = False
    """Never changes a key, so the state after is the state before."""
    fresh: bool = False
    """Builds its destination (the first key) from scratch (STORE commands, RESTORE)."""
    meta: bool = False
    """Changes only metadata (a TTL), never the value or its encoding."""
    probes: frozenset[str] = frozenset()
    """Server-wide figures it needs (``dbsize``)."""


_FIRST_KEY = m.at(1)


def _s(
    keys: KeySpec = _FIRST_KEY,
    work: str = "1",
    reads: bool = False,
    fresh: bool = False,
    meta: bool = False,
    probes: frozenset[str] = frozenset(),
    **letters: Measure,
) -> CostSpec:
    return CostSpec(keys, letters, work, reads, fresh, meta, probes)


_ZADD_OPTS = frozenset({"NX", "XX", "GT", "LT", "CH", "INCR"})
_GEOADD_OPTS = frozenset({"NX", "XX", "CH"})
_N_SIZE = m.size(1)
_ALL_KEYS = m.span(1)


def _strings() -> dict[str, CostSpec]:
    one_key_reads = ("GET", "STRLEN", "GETBIT")
    one_key_writes = (
        "SET SETNX SETEX PSETEX GETSET GETDEL GETEX INCR DECR INCRBY DECRBY INCRBYFLOAT APPEND SETBIT"
    ).split()
    out = {n: _s(reads=True) for n in one_key_reads}
    out.update({n: _s() for n in one_key_writes})
    out.update(
        MGET=_s(_ALL_KEYS, "N", reads=True, N=m.key_count(_ALL_KEYS)),
        MSET=_s(m.span(1, step=2), "N", N=m.args(1, 2, "keys set")),
        MSETNX=_s(m.span(1, step=2), "N", N=m.args(1, 2, "keys set")),
        GETRANGE=_s(work="N", reads=True, N=m.reply_strlen()),
        SUBSTR=_s(work="N", reads=True, N=m.reply_strlen()),
        SETRANGE=_s(work="M", M=m.arg_len(3, "length of the value argument")),
        LCS=_s(m.at(1, 2), "N*M", reads=True, N=m.size(1), M=m.size(2)),
        BITCOUNT=_s(work="N", reads=True, N=_N_SIZE),
        BITPOS=_s(work="N", reads=True, N=_N_SIZE),
        BITOP=_s(m.span(2), "N", fresh=True, N=m.sizes(m.span(3), "max")),
        BITFIELD=_s(),
        BITFIELD_RO=_s(reads=True),
        PFADD=_s(work="items", items=m.args(2, label="elements given")),
        PFCOUNT=_s(_ALL_KEYS, "N", N=m.key_count(_ALL_KEYS)),
        PFMERGE=_s(_ALL_KEYS, "N", N=m.key_count(_ALL_KEYS, "HyperLogLogs merged")),
    )
    return out


def _lists() -> dict[str, CostSpec]:
    def distance(c: m.Call) -> int | None:
        state, index = c.before.get(c.argv[1]), m._int(c.arg(2))
        if state is None or index is None:
            return None
        i = index if index >= 0 else state.size + index
        return max(0, min(i, state.size - 1 - i))

    def start_offset(c: m.Call) -> int | None:
        state, start = c.before.get(c.argv[1]), m._int(c.arg(2))
        if state is None or start is None:
            return None
        s = start if start >= 0 else max(0, state.size + start)
        return min(s, max(0, state.size - s))

    pushed = m.args(2, label="elements added")
    out = {n: _s(work="N", N=pushed) for n in ("LPUSH", "RPUSH", "LPUSHX", "RPUSHX")}
    out.update({n: _s(work="N", N=m.returned()) for n in ("LPOP", "RPOP")})
    out.update({n: _s(m.at(1, 2)) for n in ("LMOVE", "BLMOVE", "RPOPLPUSH", "BRPOPLPUSH")})
    out.update(
        LLEN=_s(reads=True),
        LRANGE=_s(
            work="S+N",
            reads=True,
            S=m.custom("distance of start from the nearest end", start_offset),
            N=m.returned(),
        ),
        LINDEX=_s(work="N", reads=True, N=m.custom("elements traversed to the index", distance)),
        LSET=_s(work="N", N=_N_SIZE),
        LREM=_s(work="N+M", N=_N_SIZE, M=m.reply_int("elements removed (reply)")),
        LTRIM=_s(work="N", N=m.removed(1)),
        LPOS=_s(work="N", reads=True, N=_N_SIZE),
        LINSERT=_s(
            work="N",
            N=m.custom("LLEN before the call (at most this many traversed)", lambda c: m.size(1).value(c)),
        ),
        BLPOP=_s(m.span(1, -1), "N", N=m.key_count(m.span(1, -1))),
        BRPOP=_s(m.span(1, -1), "N", N=m.key_count(m.span(1, -1))),
        LMPOP=_s(m.numkeys(1), "N+M", N=m.key_count(m.numkeys(1)), M=m.nested_returned()),
        BLMPOP=_s(m.numkeys(2), "N+M", N=m.key_count(m.numkeys(2)), M=m.nested_returned()),
    )
    return out


def _sets() -> dict[str, CostSpec]:
    members = m.args(2, label="members given")
    out = {n: _s(work="N", N=members) for n in ("SADD", "SREM")}
    out.update({n: _s(reads=True) for n in ("SISMEMBER", "SCARD")})
    out.update(
        SMOVE=_s(m.at(1, 2)),
        SMEMBERS=_s(work="N", reads=True, N=_N_SIZE),
        SMISMEMBER=_s(work="N", reads=True, N=members),
        SPOP=_s(work="N", N=m.count_arg(2, "count argument")),
        SRANDMEMBER=_s(work="N", reads=True, N=m.count_arg(2, "|count| argument")),
        SSCAN=_s(reads=True, N=_N_SIZE),
        SINTER=_s(
            _ALL_KEYS, "N*M", reads=True, N=m.sizes(_ALL_KEYS, "min"), M=m.key_count(_ALL_KEYS, "sets")
        ),
        SINTERSTORE=_s(
            m.span(1), "N*M", fresh=True, N=m.sizes(m.span(2), "min"), M=m.key_count(m.span(2), "sets")
        ),
        SINTERCARD=_s(
            m.numkeys(1),
            "N*M",
            reads=True,
            N=m.sizes(m.numkeys(1), "min"),
            M=m.key_count(m.numkeys(1), "sets"),
        ),
    )
    for name in ("SUNION", "SDIFF"):
        out[name] = _s(_ALL_KEYS, "N", reads=True, N=m.sizes(_ALL_KEYS))
        out[name + "STORE"] = _s(m.span(1), "N", fresh=True, N=m.sizes(m.span(2)))
    return out


def _zsets() -> dict[str, CostSpec]:
    log_n = {
        n: _s(work="log(N)", reads=True, N=_N_SIZE) for n in ("ZCOUNT", "ZLEXCOUNT", "ZRANK", "ZREVRANK")
    }
    ranges = "ZRANGE ZREVRANGE ZRANGEBYSCORE ZREVRANGEBYSCORE ZRANGEBYLEX ZREVRANGEBYLEX".split()
    out = {n: _s(work="log(N)+M", reads=True, N=_N_SIZE, M=m.returned()) for n in ranges}
    out.update(log_n)
    removed = m.reply_int("elements removed (reply)")
    out.update(
        {
            n: _s(work="log(N)+M", N=_N_SIZE, M=removed)
            for n in ("ZREMRANGEBYSCORE", "ZREMRANGEBYRANK", "ZREMRANGEBYLEX")
        }
    )
    out.update(
        {n: _s(work="log(N)*M", N=_N_SIZE, M=m.returned("elements popped")) for n in ("ZPOPMIN", "ZPOPMAX")}
    )
    out.update({n: _s(m.span(1, -1), "log(N)", N=_N_SIZE) for n in ("BZPOPMIN", "BZPOPMAX")})
    out.update({n: _s(reads=True) for n in ("ZSCORE", "ZCARD")})
    inputs = m.numkeys(2)
    out.update(
        ZADD=_s(
            work="items*log(N)",
            N=_N_SIZE,
            items=m.options_then_items(2, 2, _ZADD_OPTS, "score/member pairs given"),
        ),
        ZINCRBY=_s(work="log(N)", N=_N_SIZE),
        ZMSCORE=_s(work="N", reads=True, N=m.args(2, label="members requested")),
        ZRANGESTORE=_s(
            m.at(1, 2), "log(N)+M", fresh=True, N=m.size(2), M=m.reply_int("elements stored (reply)")
        ),
        ZREM=_s(work="M*log(N)", N=_N_SIZE, M=m.args(2, label="members to remove")),
        ZRANDMEMBER=_s(work="N", reads=True, N=m.returned()),
        ZSCAN=_s(reads=True, N=_N_SIZE),
        ZMPOP=_s(
            m.numkeys(1),
            "K+M*log(N)",
            K=m.key_count(m.numkeys(1)),
            N=m.size(2),
            M=m.nested_returned("elements popped"),
        ),
        BZMPOP=_s(
            m.numkeys(2),
            "K+M*log(N)",
            K=m.key_count(m.numkeys(2)),
            N=m.size(3),
            M=m.nested_returned("elements popped"),
        ),
        ZUNION=_s(m.numkeys(1), "N+M*log(M)", reads=True, N=m.sizes(m.numkeys(1)), M=m.returned()),
        ZUNIONSTORE=_s(
            m.numkeys(2, also=(1,)),
            "N+M*log(M)",
            fresh=True,
            N=m.sizes(inputs),
            M=m.reply_int("elements stored (reply)"),
        ),
        ZINTER=_s(
            m.numkeys(1),
            "N*K+M*log(M)",
            reads=True,
            N=m.sizes(m.numkeys(1), "min"),
            K=m.key_count(m.numkeys(1), "input sorted sets"),
            M=m.returned(),
        ),
        ZINTERSTORE=_s(
            m.numkeys(2, also=(1,)),
            "N*K+M*log(M)",
            fresh=True,
            N=m.sizes(inputs, "min"),
            K=m.key_count(inputs, "input sorted sets"),
            M=m.reply_int("elements stored (reply)"),
        ),
        ZINTERCARD=_s(
            m.numkeys(1),
            "N*K",
            reads=True,
            N=m.sizes(m.numkeys(1), "min"),
            K=m.key_count(m.numkeys(1), "input sorted sets"),
        ),
        ZDIFF=_s(
            m.numkeys(1),
            "L+(N-K)*log(N)",
            reads=True,
            L=m.sizes(m.numkeys(1)),
            N=m.size(2),
            K=m.returned("elements in the result"),
        ),
        ZDIFFSTORE=_s(
            m.numkeys(2, also=(1,)),
            "L+(N-K)*log(N)",
            fresh=True,
            L=m.sizes(inputs),
            N=m.size(3),
            K=m.reply_int("elements in the result (reply)"),
        ),
    )
    return out


def _hashes() -> dict[str, CostSpec]:
    out = {n: _s(reads=True) for n in ("HGET", "HEXISTS", "HLEN", "HSTRLEN")}
    out.update({n: _s() for n in ("HSETNX", "HINCRBY", "HINCRBYFLOAT")})
    out.update({n: _s(work="N", reads=True, N=_N_SIZE) for n in ("HGETALL", "HKEYS", "HVALS")})
    out.update(
        HSET=_s(work="N", N=m.args(2, 2, "field/value pairs given")),
        HMSET=_s(work="N", N=m.args(2, 2, "field/value pairs given")),
        HDEL=_s(work="N", N=m.args(2, label="fields to remove")),
        HMGET=_s(work="N", reads=True, N=m.args(2, label="fields requested")),
        HRANDFIELD=_s(work="N", reads=True, N=m.returned("fields returned")),
        HSCAN=_s(reads=True, N=_N_SIZE),
    )
    return out


def _generic() -> dict[str, CostSpec]:
    def collection_elements(c: m.Call) -> int | None:
        states = [c.before.get(a) for a in c.argv[1:]]
        if any(s is None for s in states):
            return None
        return sum(s.size for s in states if s is not None and s.exists and s.type != "string")

    ttl_writes = "EXPIRE PEXPIRE EXPIREAT PEXPIREAT PERSIST".split()
    out = {n: _s(meta=True) for n in ttl_writes}
    out.update({n: _s(reads=True) for n in ("TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME", "TYPE")})
    dbsize = frozenset({"dbsize"})
    out.update(
        DEL=_s(
            _ALL_KEYS,
            "N+M",
            N=m.reply_int("keys removed (reply)"),
            M=m.custom("elements in the removed collections", collection_elements),
        ),
        UNLINK=_s(
            _ALL_KEYS,
            "items",
            items=m.key_count(_ALL_KEYS),
            N=m.custom("elements freed in the background (about one allocation each)", collection_elements),
        ),
        EXISTS=_s(_ALL_KEYS, "N", reads=True, N=m.key_count(_ALL_KEYS)),
        TOUCH=_s(_ALL_KEYS, "N", meta=True, N=m.key_count(_ALL_KEYS)),
        RENAME=_s(m.at(1, 2)),
        RENAMENX=_s(m.at(1, 2)),
        COPY=_s(m.at(1, 2), "N", N=_N_SIZE),
        DUMP=_s(work="N", reads=True, N=_N_SIZE),
        RESTORE=_s(fresh=True),
        KEYS=_s(
            NO_KEYS, "N", reads=True, probes=dbsize, N=m.extra("dbsize", "keys in the database (DBSIZE)")
        ),
        SCAN=_s(NO_KEYS, reads=True, probes=dbsize, N=m.extra("dbsize", "keys in the database (DBSIZE)")),
        RANDOMKEY=_s(NO_KEYS, reads=True),
        DBSIZE=_s(NO_KEYS, reads=True),
        SORT=_s(work="N+M*log(M)", N=_N_SIZE, M=m.returned()),
        SORT_RO=_s(work="N+M*log(M)", reads=True, N=_N_SIZE, M=m.returned()),
        WATCH=_s(_ALL_KEYS, "N", reads=True, N=m.key_count(_ALL_KEYS)),
        **{
            "OBJECT ENCODING": _s(m.at(2), reads=True),
            "OBJECT FREQ": _s(m.at(2), reads=True),
            "OBJECT IDLETIME": _s(m.at(2), reads=True),
            "OBJECT REFCOUNT": _s(m.at(2), reads=True),
            "MEMORY USAGE": _s(m.at(2), reads=True),
        },
    )
    return out


def _streams() -> dict[str, CostSpec]:
    def evicted(c: m.Call) -> int | None:
        before, after = c.before.get(c.argv[1]), c.after.get(c.argv[1])
        if before is None or after is None:
            return None
        return max(0, before.size + 1 - after.size)

    reads = m.after_token("STREAMS")
    return {
        "XADD": _s(work="1+N", N=m.custom("entries evicted by trimming", evicted)),
        "XLEN": _s(reads=True),
        "XRANGE": _s(work="N", reads=True, N=m.returned("entries returned")),
        "XREVRANGE": _s(work="N", reads=True, N=m.returned("entries returned")),
        "XREAD": _s(reads, "N", reads=True, N=m.nested_returned("entries returned")),
        "XREADGROUP": _s(reads, "M", M=m.nested_returned("entries returned")),
        "XDEL": _s(work="items", items=m.args(2, label="IDs given")),
        "XTRIM": _s(work="N", N=m.reply_int("entries evicted (reply)")),
        "XACK": _s(work="items", items=m.args(3, label="IDs acknowledged")),
        "XCLAIM": _s(),
        "XAUTOCLAIM": _s(),
        "XPENDING": _s(work="N", reads=True, N=m.returned("entries returned")),
        "XSETID": _s(),
        "XGROUP CREATE": _s(m.at(2)),
        "XGROUP SETID": _s(m.at(2)),
        "XGROUP DESTROY": _s(m.at(2)),
        "XGROUP CREATECONSUMER": _s(m.at(2)),
        "XGROUP DELCONSUMER": _s(m.at(2)),
        "XINFO STREAM": _s(m.at(2), reads=True),
        "XINFO GROUPS": _s(m.at(2), reads=True),
        "XINFO CONSUMERS": _s(m.at(2), reads=True),
    }


def _geo() -> dict[str, CostSpec]:
    box_n = m.custom("elements in the bounding box (not observable; at least M)", lambda c: None)
    radius_n = m.custom(
        "elements in the bounding box (not observable; at least those returned)", lambda c: None
    )
    inside = m.returned("items inside the shape (returned)")
    index = m.size(1)
    return {
        "GEOADD": _s(
            work="items*log(N)",
            N=_N_SIZE,
            items=m.options_then_items(2, 3, _GEOADD_OPTS, "longitude/latitude/member triples"),
        ),
        "GEODIST": _s(work="log(N)", reads=True, N=_N_SIZE),
        "GEOHASH": _s(work="items*log(N)", reads=True, N=_N_SIZE, items=m.args(2, label="members requested")),
        "GEOPOS": _s(work="N", reads=True, N=m.args(2, label="members requested")),
        "GEOSEARCH": _s(work="N+log(M)", reads=True, N=box_n, M=inside),
        "GEOSEARCHSTORE": _s(
            m.at(1, 2), "N+log(M)", fresh=True, N=box_n, M=m.reply_int("items inside the shape (stored)")
        ),
        "GEORADIUS": _s(work="N+log(M)", N=radius_n, M=index),
        "GEORADIUSBYMEMBER": _s(work="N+log(M)", N=radius_n, M=index),
        "GEORADIUS_RO": _s(work="N+log(M)", reads=True, N=radius_n, M=index),
        "GEORADIUSBYMEMBER_RO": _s(work="N+log(M)", reads=True, N=radius_n, M=index),
    }


def _other() -> dict[str, CostSpec]:
    scripts = m.numkeys(2)
    return {
        **{n: _s(scripts) for n in ("EVAL", "EVALSHA", "FCALL")},
        **{n: _s(scripts, reads=True) for n in ("EVAL_RO", "EVALSHA_RO", "FCALL_RO")},
        "SCRIPT LOAD": _s(NO_KEYS, "N", N=m.arg_len(2, "bytes in the script body")),
        "PUBLISH": _s(NO_KEYS, "N", N=m.reply_int("clients that received it (reply)")),
        "SPUBLISH": _s(NO_KEYS, "N", N=m.reply_int("clients that received it (reply)")),
        "MULTI": _s(NO_KEYS),
        "EXEC": _s(NO_KEYS),
        "DISCARD": _s(NO_KEYS),
        "UNWATCH": _s(NO_KEYS, reads=True),
        "PING": _s(NO_KEYS, reads=True),
    }


@functools.cache
def _table() -> dict[str, CostSpec]:
    table: dict[str, CostSpec] = {}
    for part in (_strings, _lists, _sets, _zsets, _hashes, _generic, _streams, _geo, _other):
        table.update(part())
    return table


def cost_spec(name: str) -> CostSpec | None:
    """The cost spec of ``name`` (``ZADD``, ``XGROUP CREATE``), or None when not mapped."""
    return _table().get(name.upper())


def mapped_commands() -> frozenset[str]:
    """Every command the table covers."""
    return frozenset(_table())
