"""Model the bytes ``MEMORY USAGE`` reports for a key, from its contents and encoding.

The arithmetic follows ``objectComputeSize`` in redis/redis ``src/object.c`` (7.0): the object header
(16 bytes), the encoding's own structures, each allocation rounded up to a jemalloc size class,
plus the key's name and its entry in the main dictionary. Big collections are extrapolated from a
sample, as ``MEMORY USAGE`` itself does. The tests compare the model with a live Redis 7.0.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

from redisprep.explain.encoding import Contents
from redisprep.knowledge.limits import Limits
from redisprep.knowledge.listpack import LISTPACK_EMPTY, listpack_bytes, lp_entry_size

ROBJ = 16  # sizeof(robj)
DICT = 56  # sizeof(dict) in 7.0
DICT_ENTRY = 24  # sizeof(dictEntry)
QUICKLIST = 40  # sizeof(quicklist)
QUICKLIST_NODE = 40  # sizeof(quicklistNode)
ZSET_HEADERS = 16 + 32  # sizeof(zset) + sizeof(zskiplist)
STREAM = 80  # sizeof(stream)


def size_class(n: int) -> int:
    """The allocation jemalloc makes for ``n`` bytes (8, 16, 32, 48, …, then 4 classes per doubling)."""
    if n <= 8:
        return 8
    if n <= 128:
        return (n + 15) // 16 * 16
    step = 1 << (max(n - 1, 1).bit_length() - 3)
    return (n + step - 1) // step * step


def sds_size(length: int) -> int:
    """Allocation of an sds string of ``length`` bytes (header by length, NUL terminator)."""
    header = 1 if length < 32 else 3 if length < 256 else 5 if length < 65536 else 9
    return size_class(header + length + 1)


def score_text(score: float) -> str:
    """A sorted-set score as Redis writes it into a listpack (``d2string``)."""
    if math.isinf(score):
        return "inf" if score > 0 else "-inf"
    if -(2**52) < score < 2**52 and score == int(score):
        return str(int(score))
    return f"{score:.17g}"


@functools.cache
def skiplist_node() -> float:
    """Expected allocation of a skiplist node: 24 bytes plus 16 per level, levels geometric (p=1/4)."""
    expected, p = 0.0, 0.75
    for level in range(1, 33):
        share = p * 0.25 ** (level - 1) if level < 32 else 0.25**31
        expected += share * size_class(24 + 16 * level)
    return expected


def table_size(count: int) -> int:
    """Buckets of a dict holding ``count`` entries: the power of two ≥ count, at least 4.

    ``_dictExpandIfNeeded`` grows the table when an insert finds it full (used ≥ size), to the
    next power of two (``_dictNextExp``); DICT_HT_INITIAL_SIZE is 4.
    """
    if count <= 0:
        return 0
    return max(4, 1 << (count - 1).bit_length())


def _average(entries: tuple[tuple[str, ...], ...], each: Callable[[tuple[str, ...]], float]) -> float:
    values = [each(e) for e in entries]
    return sum(values) / len(values) if values else 0.0


def key_overhead(key: str) -> int:
    """The key's name and its entry in the main dictionary."""
    return sds_size(len(key.encode("utf-8", "surrogateescape"))) + DICT_ENTRY


#: The release whose object layout the arithmetic follows (what the embedded backend imitates).
MODELLED_RELEASE = "7.0"


def model_memory(contents: Contents, encoding: str, key: str, limits: Limits) -> int | None:
    """Bytes ``MEMORY USAGE key`` would report for this value, or None when not modelled.

    Only Redis 7.0's layout (with jemalloc, as Debian and the official builds ship it) is
    modelled: 6.2 counts ziplists, intsets and embstr strings without allocator rounding and has a
    bigger dict, and Valkey 8 keeps keys inside their values and replaced the dict with its own
    hash table, so other releases get None rather than 7.0's numbers.
    """
    if limits.version != MODELLED_RELEASE:
        return None
    value = _value_bytes(contents, encoding, limits)
    return None if value is None else round(value) + key_overhead(key)


def _value_bytes(c: Contents, encoding: str, limits: Limits) -> float | None:
    n, entries = c.count, c.entries
    if encoding == "int":
        return ROBJ
    if encoding == "embstr":
        return size_class(ROBJ + 3 + n + 1)
    if encoding == "raw":
        return ROBJ + sds_size(n)
    if encoding in ("listpack", "ziplist"):
        return ROBJ + size_class(listpack_bytes(entries, n, c.complete))
    if encoding == "intset":
        ints = [int(e[0]) for e in entries]
        width = (
            2
            if all(-(2**15) <= v < 2**15 for v in ints)
            else 4
            if all(-(2**31) <= v < 2**31 for v in ints)
            else 8
        )
        return ROBJ + size_class(8 + width * n)
    if encoding == "hashtable":
        each = _average(entries, lambda e: sum(sds_size(len(s.encode())) for s in e) + DICT_ENTRY)
        return ROBJ + DICT + 8 * table_size(n) + each * n
    if encoding == "skiplist":
        header = size_class(24 + 16 * 32)
        each = _average(entries, lambda e: sds_size(len(e[0].encode())) + DICT_ENTRY + skiplist_node())
        return ROBJ + ZSET_HEADERS + DICT + 8 * table_size(n) + header + each * n
    if encoding == "quicklist":
        return ROBJ + QUICKLIST + _quicklist_nodes(c, limits)
    if encoding == "stream":
        return _stream(c, limits)
    return None


def _quicklist_nodes(c: Contents, limits: Limits) -> float:
    """Nodes of at most ``list_node_bytes`` each, filled as ``_quicklistNodeAllowInsert`` does."""
    cap = limits.list_node_bytes
    if c.complete:
        sizes: list[int] = []
        for (item,) in c.entries:
            if sizes and sizes[-1] + len(item.encode()) + 8 <= cap:
                sizes[-1] += lp_entry_size(item)
            else:
                sizes.append(LISTPACK_EMPTY + lp_entry_size(item))
        return sum(QUICKLIST_NODE + size_class(s) for s in sizes)
    entry = _average(c.entries, lambda e: lp_entry_size(e[0]))
    length = _average(c.entries, lambda e: len(e[0].encode()))
    per_node = max(1, int((cap - 8 - length - LISTPACK_EMPTY) // max(entry, 1)) + 1)
    full, rest = divmod(c.count, per_node)
    total = full * (QUICKLIST_NODE + size_class(round(LISTPACK_EMPTY + per_node * entry)))
    if rest:
        total += QUICKLIST_NODE + size_class(round(LISTPACK_EMPTY + rest * entry))
    return total


def _stream(c: Contents, limits: Limits) -> float:
    """Listpack nodes of up to 100 entries (the open one preallocated to 4 KB) and the radix tree."""
    per_entry = _average(c.entries, lambda e: 10 + sum(lp_entry_size(v) for v in e[2::2]))
    master = 8 + _average(c.entries, lambda e: sum(lp_entry_size(f) for f in e[1::2]))
    nodes = max(1, math.ceil(c.count / limits.stream_node_entries))
    full = size_class(round(LISTPACK_EMPTY + master + per_entry * limits.stream_node_entries))
    last_entries = c.count - (nodes - 1) * limits.stream_node_entries
    last = max(limits.stream_node_bytes, round(LISTPACK_EMPTY + master + per_entry * last_entries))
    rax_nodes = 1 + nodes
    rax = 16 * nodes + rax_nodes * (4 + 8 * 30)
    return ROBJ + STREAM + rax + (nodes - 1) * full + size_class(last)
