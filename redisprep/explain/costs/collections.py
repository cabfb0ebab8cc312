"""The cost table for collections: lists, sets, sorted sets, hashes, streams and geo indexes."""

from __future__ import annotations

from redisprep.explain import measures as m
from redisprep.explain.costs.costspec import CostSpec
from redisprep.explain.costs.costspec import spec as _s

_ZADD_OPTS = frozenset({"NX", "XX", "GT", "LT", "CH", "INCR"})
_GEOADD_OPTS = frozenset({"NX", "XX", "CH"})
_N_SIZE = m.size(1)
_ALL_KEYS = m.all_keys


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
    out.update({n: _s() for n in ("LMOVE", "BLMOVE", "RPOPLPUSH", "BRPOPLPUSH")})
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
        BLPOP=_s("N", N=m.key_count()),
        BRPOP=_s("N", N=m.key_count()),
        LMPOP=_s("N+M", N=m.key_count(), M=m.nested_returned()),
        BLMPOP=_s("N+M", N=m.key_count(), M=m.nested_returned()),
    )
    return out


def _sets() -> dict[str, CostSpec]:
    members = m.args(2, label="members given")
    out = {n: _s(work="N", N=members) for n in ("SADD", "SREM")}
    out.update({n: _s(reads=True) for n in ("SISMEMBER", "SCARD")})
    out.update(
        SMOVE=_s(),
        SMEMBERS=_s(work="N", reads=True, N=_N_SIZE),
        SMISMEMBER=_s(work="N", reads=True, N=members),
        SPOP=_s(work="N", N=m.count_arg(2, "count argument")),
        SRANDMEMBER=_s(work="N", reads=True, N=m.count_arg(2, "|count| argument")),
        SSCAN=_s(reads=True, N=_N_SIZE),
        SINTER=_s("N*M", reads=True, N=m.sizes(_ALL_KEYS, "min"), M=m.key_count(_ALL_KEYS, "sets")),
        SINTERSTORE=_s("N*M", fresh=True, N=m.sizes(m.span(2), "min"), M=m.key_count(m.span(2), "sets")),
        SINTERCARD=_s(
            "N*M",
            reads=True,
            N=m.sizes(m.numkeys(1), "min"),
            M=m.key_count(m.numkeys(1), "sets"),
        ),
    )
    for name in ("SUNION", "SDIFF"):
        out[name] = _s("N", reads=True, N=m.sizes(_ALL_KEYS))
        out[name + "STORE"] = _s("N", fresh=True, N=m.sizes(m.span(2)))
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
    out.update({n: _s("log(N)", N=_N_SIZE) for n in ("BZPOPMIN", "BZPOPMAX")})
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
        ZRANGESTORE=_s("log(N)+M", fresh=True, N=m.size(2), M=m.reply_int("elements stored (reply)")),
        ZREM=_s(work="M*log(N)", N=_N_SIZE, M=m.args(2, label="members to remove")),
        ZRANDMEMBER=_s(work="N", reads=True, N=m.returned()),
        ZSCAN=_s(reads=True, N=_N_SIZE),
        ZMPOP=_s(
            "K+M*log(N)",
            K=m.key_count(m.numkeys(1)),
            N=m.size(2),
            M=m.nested_returned("elements popped"),
        ),
        BZMPOP=_s(
            "K+M*log(N)",
            K=m.key_count(m.numkeys(2)),
            N=m.size(3),
            M=m.nested_returned("elements popped"),
        ),
        ZUNION=_s("N+M*log(M)", reads=True, N=m.sizes(m.numkeys(1)), M=m.returned()),
        ZUNIONSTORE=_s(
            "N+M*log(M)",
            fresh=True,
            N=m.sizes(inputs),
            M=m.reply_int("elements stored (reply)"),
        ),
        ZINTER=_s(
            "N*K+M*log(M)",
            reads=True,
            N=m.sizes(m.numkeys(1), "min"),
            K=m.key_count(m.numkeys(1), "input sorted sets"),
            M=m.returned(),
        ),
        ZINTERSTORE=_s(
            "N*K+M*log(M)",
            fresh=True,
            N=m.sizes(inputs, "min"),
            K=m.key_count(inputs, "input sorted sets"),
            M=m.reply_int("elements stored (reply)"),
        ),
        ZINTERCARD=_s(
            "N*K",
            reads=True,
            N=m.sizes(m.numkeys(1), "min"),
            K=m.key_count(m.numkeys(1), "input sorted sets"),
        ),
        ZDIFF=_s(
            "L+(N-K)*log(N)",
            reads=True,
            L=m.sizes(m.numkeys(1)),
            N=m.size(2),
            K=m.returned("elements in the result"),
        ),
        ZDIFFSTORE=_s(
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


def _streams() -> dict[str, CostSpec]:
    def evicted(c: m.Call) -> int | None:
        before, after = c.before.get(c.argv[1]), c.after.get(c.argv[1])
        if before is None or after is None or (after.source == "predicted" and after.encoding is None):
            return None  # not predicted (a MINID trim, or not a stream)
        return max(0, before.size + 1 - after.size)

    return {
        "XADD": _s(work="1+N", N=m.custom("entries evicted by trimming", evicted)),
        "XLEN": _s(reads=True),
        "XRANGE": _s(work="N", reads=True, N=m.returned("entries returned")),
        "XREVRANGE": _s(work="N", reads=True, N=m.returned("entries returned")),
        "XREAD": _s("N", reads=True, N=m.nested_returned("entries returned")),
        "XREADGROUP": _s("M", M=m.nested_returned("entries returned")),
        "XDEL": _s(work="items", items=m.args(2, label="IDs given")),
        "XTRIM": _s(work="N", N=m.reply_int("entries evicted (reply)")),
        "XACK": _s(work="items", items=m.args(3, label="IDs acknowledged")),
        "XCLAIM": _s(),
        "XAUTOCLAIM": _s(
            work="C", C=m.option_value("COUNT", 100, "COUNT (default 100): entries claimed at most", 6)
        ),
        "XPENDING": _s(work="N", reads=True, N=m.returned("entries returned")),
        "XSETID": _s(),
        "XGROUP CREATE": _s(),
        "XGROUP SETID": _s(),
        "XGROUP DESTROY": _s(),
        "XGROUP CREATECONSUMER": _s(),
        "XGROUP DELCONSUMER": _s(),
        "XINFO STREAM": _s(reads=True),
        "XINFO GROUPS": _s(reads=True),
        "XINFO CONSUMERS": _s(reads=True),
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
            "N+log(M)", fresh=True, N=box_n, M=m.reply_int("items inside the shape (stored)")
        ),
        "GEORADIUS": _s(work="N+log(M)", N=radius_n, M=index),
        "GEORADIUSBYMEMBER": _s(work="N+log(M)", N=radius_n, M=index),
        "GEORADIUS_RO": _s(work="N+log(M)", reads=True, N=radius_n, M=index),
        "GEORADIUSBYMEMBER_RO": _s(work="N+log(M)", reads=True, N=radius_n, M=index),
    }


PARTS = (_lists, _sets, _zsets, _hashes, _streams, _geo)
