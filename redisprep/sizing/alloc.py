"""What Redis 7.0 allocates per structure, as ``used_memory`` counts it (jemalloc's usable sizes).

``used_memory`` adds up ``zmalloc_size`` of every allocation, so each ``zmalloc(n)`` costs the
jemalloc size class of ``n`` (``sizeof(dictEntry)`` is 24 bytes but takes 32). ``MEMORY USAGE``
counts ``sizeof`` instead and reports less; the sizes here follow ``src/server.h``, ``src/dict.h``,
``src/sds.h`` and ``src/t_zset.c`` of redis/redis 7.0, and were checked against ``used_memory``
deltas of Debian's redis-server 7.0.15 (jemalloc 5.3.0).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from redisprep.explain import memory
from redisprep.explain.memory import sds_size, size_class, skiplist_node, table_size

__all__ = [
    "DICT",
    "DICT_ENTRY",
    "ROBJ",
    "Buckets",
    "buckets",
    "embstr_size",
    "sds_size",
    "size_class",
    "skiplist_node",
    "table_size",
]

ROBJ = size_class(memory.ROBJ)
"""``sizeof(robj)``: type, encoding, LRU, refcount and the pointer."""
DICT_ENTRY = size_class(memory.DICT_ENTRY)
"""``sizeof(dictEntry)`` (key, value, next) = 24, allocated as 32."""
DICT = size_class(memory.DICT)
"""``sizeof(dict)`` in 7.0 (type, two tables, two counts, rehash index, pause, exponents) = 56 → 64."""
ZSET = size_class(16)
"""``sizeof(zset)``: the dict and skiplist pointers."""
ZSKIPLIST = size_class(32)
"""``sizeof(zskiplist)``: header, tail, length, level."""
ZSL_HEADER = size_class(24 + 16 * 32)
"""The skiplist's header node, created with all 32 levels."""
BUCKET = 8
"""One slot of a dict's bucket array (a pointer)."""
NONEMPTY_SHARE = 1 - math.exp(-1)
"""Share of non-empty buckets when a table holds as many entries as buckets (Poisson, load 1)."""


def embstr_size(length: int) -> int:
    """An ``embstr`` string: robj, ``sdshdr8`` (3 bytes), the bytes and a NUL in one allocation."""
    return size_class(16 + 3 + length + 1)


@dataclass(frozen=True, slots=True)
class Buckets:
    """A dict's bucket arrays: the table and, while an incremental rehash is unfinished, the old one."""

    size: int
    """Slots of the current table."""
    old: int
    """Slots of the table still being rehashed (0 when the rehash is done)."""

    @property
    def bytes(self) -> int:
        """Both arrays, 8 bytes a slot."""
        return BUCKET * (self.size + self.old)


def buckets(count: int, steps_per_insert: int | None) -> Buckets:
    """The bucket arrays of a dict filled with ``count`` inserts.

    After a doubling from ``n`` to ``2n`` slots both tables exist until the rehash has moved every
    non-empty old bucket, one per rehash step (``_dictRehashStep``, up to 10 empty ones skipped).
    A value's dict takes steps only when it is used: ``steps_per_insert`` per insert (ZADD and HSET
    look the member up, then add it: 2; SADD adds: 1). The keyspace's dicts are also rehashed by
    ``serverCron`` (``activerehashing yes``) within a second: pass None for them.

    Args:
        count: Entries in the dict.
        steps_per_insert: Rehash steps each insert takes, or None when the server finishes the rehash.
    """
    size = table_size(count)
    old = size // 2
    if steps_per_insert is None or size <= 4 or count <= old:
        return Buckets(size, 0)
    inserts_since_growth = count - old
    if inserts_since_growth * steps_per_insert >= NONEMPTY_SHARE * old:
        return Buckets(size, 0)
    return Buckets(size, old)
