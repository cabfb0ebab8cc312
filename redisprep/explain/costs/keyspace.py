"""The cost table for strings, bitmaps, HyperLogLogs, generic key commands, scripts and pub/sub."""

from __future__ import annotations

from redisprep.explain import measures as m
from redisprep.explain.costs.costspec import CostSpec
from redisprep.explain.costs.costspec import spec as _s

_N_SIZE = m.size(1)
_ALL_KEYS = m.all_keys
_BITFIELD_OPS = frozenset({"GET", "SET", "INCRBY"})


def _strings() -> dict[str, CostSpec]:
    one_key_reads = ("GET", "STRLEN", "GETBIT")
    one_key_writes = (
        "SET SETNX SETEX PSETEX GETSET GETDEL GETEX INCR DECR INCRBY DECRBY INCRBYFLOAT APPEND SETBIT"
    ).split()
    out = {n: _s(reads=True) for n in one_key_reads}
    out.update({n: _s() for n in one_key_writes})
    out.update(
        MGET=_s("N", reads=True, N=m.key_count()),
        MSET=_s("N", N=m.args(1, 2, "keys set")),
        MSETNX=_s("N", N=m.args(1, 2, "keys set")),
        GETRANGE=_s(work="N", reads=True, N=m.reply_strlen()),
        SUBSTR=_s(work="N", reads=True, N=m.reply_strlen()),
        SETRANGE=_s(work="M", M=m.arg_len(3, "length of the value argument")),
        LCS=_s("N*M", reads=True, N=m.size(1), M=m.size(2)),
        BITCOUNT=_s(work="N", reads=True, N=_N_SIZE),
        BITPOS=_s(work="N", reads=True, N=_N_SIZE),
        BITOP=_s("N", fresh=True, N=m.sizes(m.span(3), "max")),
        BITFIELD=_s(work="items", items=m.words(_BITFIELD_OPS, "subcommands given (GET, SET, INCRBY)")),
        BITFIELD_RO=_s(work="items", reads=True, items=m.words(_BITFIELD_OPS, "GET subcommands given")),
        PFADD=_s(work="items", items=m.args(2, label="elements given")),
        PFCOUNT=_s("N", N=m.key_count()),
        PFMERGE=_s("N", N=m.key_count(_ALL_KEYS, "HyperLogLogs merged")),
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
            "N+M",
            N=m.reply_int("keys removed (reply)"),
            M=m.custom("elements in the removed collections", collection_elements),
        ),
        UNLINK=_s(
            "items",
            items=m.key_count(),
            N=m.custom("elements freed in the background (about one allocation each)", collection_elements),
        ),
        EXISTS=_s("N", reads=True, N=m.key_count()),
        TOUCH=_s("N", meta=True, N=m.key_count()),
        RENAME=_s(),
        RENAMENX=_s(),
        COPY=_s("N", N=_N_SIZE),
        DUMP=_s(work="N", reads=True, N=_N_SIZE),
        RESTORE=_s(fresh=True),
        KEYS=_s("N", reads=True, probes=dbsize, N=m.extra("dbsize", "keys in the database (DBSIZE)")),
        SCAN=_s(
            "C",
            reads=True,
            probes=dbsize,
            C=m.option_value("COUNT", 10, "COUNT (default 10): slots visited by this call, about", 2),
            N=m.extra("dbsize", "keys in the database (DBSIZE): a complete iteration is O(N)"),
        ),
        RANDOMKEY=_s(reads=True),
        DBSIZE=_s(reads=True),
        SORT=_s(work="N+M*log(M)", N=_N_SIZE, M=m.returned()),
        SORT_RO=_s(work="N+M*log(M)", reads=True, N=_N_SIZE, M=m.returned()),
        WATCH=_s("N", reads=True, N=m.key_count()),
        **{
            "OBJECT ENCODING": _s(reads=True),
            "OBJECT FREQ": _s(reads=True),
            "OBJECT IDLETIME": _s(reads=True),
            "OBJECT REFCOUNT": _s(reads=True),
            "MEMORY USAGE": _s(reads=True),
        },
    )
    return out


def _other() -> dict[str, CostSpec]:
    return {
        **{n: _s() for n in ("EVAL", "EVALSHA", "FCALL")},
        **{n: _s(reads=True) for n in ("EVAL_RO", "EVALSHA_RO", "FCALL_RO")},
        "SCRIPT LOAD": _s("N", N=m.arg_len(2, "bytes in the script body")),
        "PUBLISH": _s("N", N=m.reply_int("clients that received it (reply)")),
        "SPUBLISH": _s("N", N=m.reply_int("clients that received it (reply)")),
        "MULTI": _s(),
        "EXEC": _s(),
        "DISCARD": _s(),
        "UNWATCH": _s(reads=True),
        "PING": _s(reads=True),
    }


PARTS = (_strings, _generic, _other)
