"""Encoding thresholds of each Redis version (the ``redis.conf`` defaults), used to model encodings.

Source: ``redis.conf`` at tags 6.2.14, 7.0.0, 7.2.0 and 7.4.0 of redis/redis, and
``OBJ_ENCODING_EMBSTR_SIZE_LIMIT`` in ``src/object.c``. 7.2 added listpack encodings for small sets
(``set-max-listpack-*``) and small lists; 7.0 renamed ziplist to listpack.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Limits:
    """The thresholds one Redis version converts encodings at (defaults, not ``CONFIG SET`` values)."""

    version: str
    """The release line these defaults belong to (``"7.0"``)."""
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
    stream_node_entries: int = 100
    stream_node_bytes: int = 4096


LIMITS_6_2 = Limits(version="6.2", compact="ziplist")
LIMITS_7_0 = Limits(version="7.0", compact="listpack")
LIMITS_7_2 = Limits(version="7.2", compact="listpack", set_listpack_entries=128, list_listpack_bytes=8192)


def limits_for(version: tuple[int, ...]) -> Limits:
    """The defaults of the release line ``version`` belongs to (7.4 and later behave as 7.2)."""
    if tuple(version[:2]) >= (7, 2):
        return LIMITS_7_2
    if tuple(version[:2]) >= (7, 0):
        return LIMITS_7_0
    return LIMITS_6_2
