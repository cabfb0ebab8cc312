"""Estimate the memory a data set takes in Redis 7.0, allocation by allocation, with the working kept.

The figures model ``used_memory`` (what ``INFO memory`` reports and ``maxmemory`` is compared with)
on Redis 7.0 with jemalloc: each line of the :class:`Estimate` is one kind of allocation, how many
there are and what each costs. :mod:`redisprep.sizing.calibrate` compares them with a real server.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from redisprep.knowledge.limits import LIMITS_7_0, Limits
from redisprep.knowledge.listpack import LISTPACK_EMPTY, lp_entry_size
from redisprep.sizing.alloc import (
    DICT,
    DICT_ENTRY,
    ROBJ,
    ZSET,
    ZSKIPLIST,
    ZSL_HEADER,
    buckets,
    embstr_size,
    sds_size,
    size_class,
    skiplist_node,
)
from redisprep.sizing.shape import Shape

Source = Literal["model", "measured", "calibrated"]
SHARED_INTEGERS = 10_000
"""``OBJ_SHARED_INTEGERS``: SET of 0..9999 points at a shared object (unless maxmemory evicts by LRU/LFU)."""
ZSET_SCORE = "1234567"
"""The score a sorted-set listpack is modelled with: an integer below 2^23 (4 bytes + back-length)."""
GEO_SCORE = str(2**52 - 1)
"""A geo score: a 52-bit geohash, stored in a listpack as a 64-bit integer."""


@dataclass(frozen=True, slots=True)
class Line:
    """One kind of allocation: how many, and the bytes each takes."""

    part: str
    count: int
    each: float
    note: str

    @property
    def total(self) -> float:
        """``count`` times ``each``."""
        return self.count * self.each


@dataclass(frozen=True, slots=True)
class Estimate:
    """The memory a :class:`Shape` takes, with its working."""

    shape: Shape
    encoding: str
    """The value's encoding (``embstr``, ``listpack``, ``skiplist``, …)."""
    why: str
    """Why that encoding: the threshold that decided it."""
    lines: tuple[Line, ...]
    release: str = "7.0"
    """The Redis release line whose layout and thresholds were used."""
    source: Source = "model"
    """``model``: arithmetic only; ``measured``: scaled by a sample loaded on a private
    redis-server; ``calibrated``: thresholds read from the user's server (reads only)."""
    source_detail: str = "model of Redis 7.0's allocations (jemalloc size classes); nothing measured"
    factor: float = 1.0
    """Measured over modelled bytes of a sample (1.0 when nothing was measured)."""
    notes: tuple[str, ...] = field(default=())

    @property
    def model_bytes(self) -> int:
        """The sum of the lines."""
        return round(sum(line.total for line in self.lines))

    @property
    def total_bytes(self) -> int:
        """The estimate: the model, times the measured factor when there is one."""
        return round(self.model_bytes * self.factor)

    @property
    def per_entry(self) -> float:
        """Bytes per member, field or string key (the total divided by keys × entries)."""
        return self.total_bytes / max(self.shape.total_entries, 1)

    def as_dict(self) -> dict[str, Any]:
        """Plain data for ``--json`` (the interview grades against ``total_bytes``)."""
        s = self.shape
        return {
            "kind": s.kind,
            "shape": {
                "keys": s.keys,
                "entries_per_key": s.entries,
                "key_bytes": s.key_bytes,
                "member_bytes": s.member_bytes,
                "value_bytes": s.value_bytes,
                "integers": s.integers,
                "ttl": s.ttl,
            },
            "encoding": self.encoding,
            "why": self.why,
            "release": self.release,
            "source": self.source,
            "source_detail": self.source_detail,
            "lines": [
                {
                    "part": ln.part,
                    "count": ln.count,
                    "each": ln.each,
                    "total": round(ln.total),
                    "note": ln.note,
                }
                for ln in self.lines
            ],
            "model_bytes": self.model_bytes,
            "factor": self.factor,
            "total_bytes": self.total_bytes,
            "per_entry_bytes": round(self.per_entry, 2),
            "notes": list(self.notes),
        }


def estimate(shape: Shape, limits: Limits = LIMITS_7_0) -> Estimate:
    """The modelled ``used_memory`` of ``shape`` on a Redis of ``limits``'s thresholds (7.0 layout)."""
    encoding, why, value_lines = _value(shape, limits)
    lines = _keyspace(shape) + value_lines
    notes: tuple[str, ...] = ()
    if limits.version != LIMITS_7_0.version:
        notes = (f"thresholds of {limits.version}, but allocations as Redis 7.0 lays them out",)
    return Estimate(shape, encoding, why, lines, release=limits.version, notes=notes)


def _keyspace(s: Shape) -> tuple[Line, ...]:
    key = sds_size(s.key_bytes)
    main = buckets(s.keys, None)
    lines = [
        Line("key names", s.keys, key, _sds_note(s.key_bytes, key)),
        Line("keyspace entries", s.keys, DICT_ENTRY, "dictEntry 24 B → 32"),
        Line("keyspace buckets", main.size, 8, f"power of two ≥ {s.keys:,} keys"),
    ]
    if s.ttl:
        lines += [
            Line("expires entries", s.keys, DICT_ENTRY, "dictEntry holding the expiry time"),
            Line("expires buckets", main.size, 8, "sized like the keyspace"),
        ]
    return tuple(lines)


def _sds_note(length: int, size: int) -> str:
    header = 1 if length < 32 else 3 if length < 256 else 5 if length < 65536 else 9
    return f"sds {header} + {length:,} + NUL = {header + length + 1:,} → {size:,}"


def _value(s: Shape, limits: Limits) -> tuple[str, str, tuple[Line, ...]]:
    if s.kind == "string":
        return _string(s, limits)
    if s.kind == "hash":
        return _hash(s, limits)
    if s.kind == "set":
        return _set(s, limits)
    return _zset(s, limits)


def _string(s: Shape, limits: Limits) -> tuple[str, str, tuple[Line, ...]]:
    n = s.value_bytes
    if s.integers and 10**n <= SHARED_INTEGERS:
        why = f"integers of {n} digits are below {SHARED_INTEGERS:,}: the shared integer objects"
        return (
            "int",
            why,
            (
                Line(
                    "values",
                    s.keys,
                    0,
                    "shared objects: nothing allocated (unless maxmemory-policy is LRU/LFU)",
                ),
            ),
        )
    if s.integers:
        return "int", "an integer string: the number is kept in the robj's pointer", (_robj(s),)
    if n <= limits.embstr_limit:
        size = embstr_size(n)
        why = f"{n} B ≤ {limits.embstr_limit} B: embstr (robj and string in one allocation)"
        note = f"robj 16 + sds 3 + {n} + NUL = {19 + n + 1} → {size}"
        return "embstr", why, (Line("values", s.keys, size, note),)
    size = sds_size(n)
    why = f"{n:,} B > {limits.embstr_limit} B: raw (robj plus a separate string)"
    return "raw", why, (_robj(s), Line("value strings", s.keys, size, _sds_note(n, size)))


def _robj(s: Shape) -> Line:
    return Line("value objects", s.keys, ROBJ, "robj 16 B")


def _compact(
    s: Shape, encoding: str, why: str, entry: int, what: str = "listpacks"
) -> tuple[str, str, tuple[Line, ...]]:
    """One compact allocation per key (a listpack, or an intset of ``entry``-byte integers)."""
    header = 8 if encoding == "intset" else LISTPACK_EMPTY
    raw = header + entry * s.entries
    note = f"{header} + {s.entries:,} × {entry} = {raw:,} → {size_class(raw):,}"
    return encoding, why, (_robj(s), Line(what, s.keys, size_class(raw), note))


def _dict_lines(s: Shape, fixed: tuple[int, str], each: tuple[float, str], steps: int) -> tuple[Line, ...]:
    """A value built on a dict: fixed structures per key, an entry per member, the bucket arrays."""
    table = buckets(s.entries, steps)
    lines = [
        Line("value objects", s.keys, fixed[0], fixed[1]),
        Line("entries", s.total_entries, each[0], each[1]),
        Line("buckets", s.keys * table.size, 8, f"power of two ≥ {s.entries:,} per key"),
    ]
    if table.old:
        note = f"doubled at {table.old:,}; {steps} step(s) per insert have not moved it all yet"
        lines.append(Line("old buckets", s.keys * table.old, 8, note))
    return tuple(lines)


def _hash(s: Shape, limits: Limits) -> tuple[str, str, tuple[Line, ...]]:
    f, v = s.member_bytes, s.value_bytes
    if s.entries <= limits.hash_entries and max(f, v) <= limits.hash_value:
        why = f"{s.entries:,} fields ≤ {limits.hash_entries}, fields/values ≤ {limits.hash_value} B: listpack"
        return _compact(s, limits.compact, why, lp_entry_size("f" * f) + lp_entry_size("v" * v))
    why = _over(s.entries, limits.hash_entries, max(f, v), limits.hash_value, "fields", "hashtable")
    fs, vs = sds_size(f), sds_size(v)
    each = (DICT_ENTRY + fs + vs, f"dictEntry 32 + field {fs} + value {vs}")
    return "hashtable", why, _dict_lines(s, _DICT_VALUE, each, 2)


def _set(s: Shape, limits: Limits) -> tuple[str, str, tuple[Line, ...]]:
    m = s.member_bytes
    if s.integers and s.entries <= limits.set_intset_entries:
        width = 2 if m <= 4 else 4 if m <= 9 else 8
        why = f"integer members, {s.entries:,} ≤ {limits.set_intset_entries}: intset of {width}-byte integers"
        return _compact(s, "intset", why, width, "intsets")
    lp_max = limits.set_listpack_entries
    if lp_max is not None and s.entries <= lp_max and m <= limits.set_listpack_value:
        why = (
            f"{s.entries:,} members ≤ {lp_max}, ≤ {limits.set_listpack_value} B: listpack ({limits.version})"
        )
        return _compact(s, "listpack", why, lp_entry_size(_member_text(m, s.integers)))
    if s.integers:
        why = f"{s.entries:,} integer members > set-max-intset-entries {limits.set_intset_entries}: hashtable"
    elif lp_max is None:
        why = f"string members: hashtable (Redis {limits.version} has no listpack sets; 7.2 added them)"
    else:
        why = _over(s.entries, lp_max, m, limits.set_listpack_value, "members", "hashtable")
    ms = sds_size(m)
    return (
        "hashtable",
        why,
        _dict_lines(s, _DICT_VALUE, (DICT_ENTRY + ms, f"dictEntry 32 + member {ms}"), 1),
    )


_DICT_VALUE = (ROBJ + DICT, "robj 16 + dict 56 → 64")
_ZSET_VALUE = (
    ROBJ + ZSET + ZSKIPLIST + ZSL_HEADER + DICT,
    "robj 16 + zset 16 + zskiplist 32 + 32-level header 640 + dict 64",
)


def _zset(s: Shape, limits: Limits) -> tuple[str, str, tuple[Line, ...]]:
    m = s.member_bytes
    score = GEO_SCORE if s.kind == "geo" else ZSET_SCORE
    if s.entries <= limits.zset_entries and m <= limits.zset_value:
        why = f"{s.entries:,} members ≤ {limits.zset_entries} and ≤ {limits.zset_value} B: listpack"
        return _compact(s, limits.compact, why, lp_entry_size("m" * m) + lp_entry_size(score))
    why = _over(s.entries, limits.zset_entries, m, limits.zset_value, "members", "skiplist")
    ms, node = sds_size(m), skiplist_node()
    note = f"dictEntry 32 + member {ms} + node {node:.1f} (24 + 16 a level, p = 1/4)"
    return "skiplist", why, _dict_lines(s, _ZSET_VALUE, (DICT_ENTRY + ms + node, note), 2)


def _over(entries: int, max_entries: int, longest: int, max_bytes: int, what: str, target: str) -> str:
    if entries > max_entries:
        return f"{entries:,} {what} > {max_entries}: {target}"
    return f"{what} of {longest:,} B > {max_bytes} B: {target}"


def _member_text(length: int, integer: bool) -> str:
    return str(10 ** (length - 1)) if integer else "m" * length
