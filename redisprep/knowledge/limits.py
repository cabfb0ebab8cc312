"""Encoding thresholds of each server release line (the ``redis.conf`` defaults), used to model encodings.

Which line a server belongs to is :func:`redisprep.release.limits_for`'s to say.

Sources: ``redis.conf`` at tags 6.2.14, 7.0.0, 7.2.0 and 7.4.0 of redis/redis (the table in
reference/fsrs-and-command-metadata.md, section 6), ``OBJ_ENCODING_EMBSTR_SIZE_LIMIT`` in
``src/object.c``, and valkey-io/valkey ``src/object.c`` (``createStringObjectWithKeyAndExpire``).
6.2 calls the compact encoding ``ziplist``; 7.0 renamed it ``listpack``; 7.2 added listpack
encodings for small sets (``set-max-listpack-*``) and small lists; Valkey 8.0 embeds the key (and
its expiry) in the value's allocation, so whether a string is ``embstr`` depends on its key too.
Every release was measured with OBJECT ENCODING (tests/test_encoding_model.py runs on each).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Limits:
    """The thresholds one release converts encodings at (defaults, not ``CONFIG SET`` values)."""

    version: str
    """The release line these defaults belong to (``"7.0"``, ``"valkey-8.0"``)."""
    compact: str
    """Name of the compact encoding: ``listpack`` from 7.0, ``ziplist`` before."""
    zset_entries: int = 128
    zset_value: int = 64
    hash_entries: int = 512
    hash_value: int = 64
    set_intset_entries: int = 512
    set_listpack_entries: int | None = None
    """Small sets of strings stay a listpack up to this many members (7.2+); None: always hashtable."""
    set_listpack_value: int = 64
    list_listpack_bytes: int | None = None
    """A list stays one listpack while it is below this many bytes (7.2+); None: always quicklist."""
    list_node_bytes: int = 8192
    """``list-max-listpack-size -2``: each quicklist node holds at most 8 KB."""
    embstr_limit: int = 44
    """Strings up to this many bytes are ``embstr`` (one allocation with the object header)."""
    embstr_with_key: int | None = None
    """Valkey 8.0+: the object header (16 bytes), the key (its length + 3 bytes) and the value (its
    length + 4 bytes) must fit in this many bytes for the value to stay ``embstr``; None: the key
    does not matter (Redis)."""
    stream_node_entries: int = 100
    stream_node_bytes: int = 4096


LIMITS_6_2 = Limits(version="6.2", compact="ziplist")
LIMITS_7_0 = Limits(version="7.0", compact="listpack")
LIMITS_7_2 = Limits(version="7.2", compact="listpack", set_listpack_entries=128, list_listpack_bytes=8192)
LIMITS_VALKEY_8 = Limits(
    version="valkey-8.0",
    compact="listpack",
    set_listpack_entries=128,
    list_listpack_bytes=8192,
    embstr_with_key=64,
)

#: ``list-max-listpack-size``'s default in every release line: -2, a byte limit of 8 KB per node.
LIST_MAX_LISTPACK_SIZE = -2
#: Bytes per quicklist node for the negative ``list-max-listpack-size`` settings -1 .. -5 (redis.conf).
LIST_NODE_BYTES = {-1: 4096, -2: 8192, -3: 16384, -4: 32768, -5: 65536}


def embstr_fits(limits: Limits, value_bytes: int, key_bytes: int) -> bool:
    """Whether a string of ``value_bytes`` written under a key of ``key_bytes`` stays ``embstr``.

    Redis: up to 44 bytes. Valkey 8.0+: also ``16 + (key + 3) + (value + 4) <= 64``, so value + key
    <= 41 (``createStringObjectWithKeyAndExpire``; measured on 8.1.8 for keys of 1 to 41 bytes
    written by SET, also SET ... EX for keys under 32 bytes). Not modelled: a TTL added to an
    existing key needs 8 more bytes unless the allocation had room to spare (that depends on the
    allocator), so an ``EXPIRE`` can turn such a string ``raw``.
    """
    if value_bytes > limits.embstr_limit:
        return False
    if limits.embstr_with_key is None:
        return True
    return 16 + key_bytes + 3 + value_bytes + 4 <= limits.embstr_with_key
