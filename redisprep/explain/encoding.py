"""Model the internal encoding Redis gives a value, from its contents and the version's thresholds.

Used where ``OBJECT ENCODING`` cannot be asked (the embedded fakeredis), and to predict the
encoding a write would leave without running it. Conversions to the big encodings (skiplist,
hashtable) are one-way in Redis, so the model takes the key's previous encoding into account.
"""

from __future__ import annotations

from dataclasses import dataclass

from redisprep.knowledge.limits import Limits, embstr_fits
from redisprep.knowledge.listpack import LISTPACK_EMPTY, is_int64, listpack_bytes

#: Commands that always leave a string ``raw`` (they edit the bytes in place, or build them so).
RAW_STRING_OPS = frozenset({"APPEND", "SETRANGE", "SETBIT", "BITFIELD", "BITOP", "PFADD", "PFMERGE"})
#: INCRBYFLOAT stores its result as text, never as an integer, even when the result is integral.
TEXT_STRING_OPS = frozenset({"INCRBYFLOAT"})


@dataclass(frozen=True, slots=True)
class Contents:
    """What a key holds, as far as the encoding and memory models need it."""

    type: str
    """``string``, ``list``, ``set``, ``zset``, ``hash`` or ``stream`` (as ``TYPE`` answers)."""
    count: int
    """Elements (members, fields, items, entries); for a string its length in bytes."""
    entries: tuple[tuple[str, ...], ...] = ()
    """Every element when :attr:`complete`, else a sample: ``(member, score)`` for a sorted set,
    ``(field, value)`` for a hash, ``(item,)`` for lists and sets, ``(value,)`` for a string."""
    complete: bool = True
    key_bytes: int = 0
    """The key's name in bytes: Valkey 8 stores it in the string's own allocation."""

    @property
    def max_len(self) -> int:
        """Longest element in bytes, as the thresholds count it (sorted-set scores do not count)."""
        if self.type == "zset":
            return max((_blen(e[0]) for e in self.entries), default=0)
        return max((_blen(s) for e in self.entries for s in e), default=0)

    @property
    def all_integers(self) -> bool:
        """Every member is a canonical 64-bit integer (the condition for an intset)."""
        return all(is_int64(e[0]) for e in self.entries)


def _blen(text: str) -> int:
    return len(text.encode("utf-8", "surrogateescape"))


def model_encoding(
    contents: Contents, limits: Limits, previous: str | None = None, op: str | None = None
) -> str:
    """The encoding Redis ``limits.version`` gives a value with these contents.

    Args:
        contents: What the key holds now.
        limits: The thresholds of the Redis version being imitated.
        previous: The key's encoding before the last command, if it existed with the same type
            (big encodings are sticky: a zset that became a skiplist stays one when it shrinks).
        op: The command that produced the value (``APPEND`` leaves a raw string, for example);
            None when nothing rewrote the value (then a known ``previous`` string encoding stands).

    Returns:
        An ``OBJECT ENCODING`` name: ``int``, ``embstr``, ``raw``, ``listpack``/``ziplist``,
        ``quicklist``, ``intset``, ``hashtable``, ``skiplist`` or ``stream``.
    """
    kind = contents.type
    if kind == "string":
        return _string(contents, limits, previous, op)
    if kind == "stream":
        return "stream"
    if kind == "list":
        return _list(contents, limits, previous)
    if kind == "set":
        return _set(contents, limits, previous)
    if kind == "zset":
        small = contents.count <= limits.zset_entries and contents.max_len <= limits.zset_value
        return limits.compact if small and previous != "skiplist" else "skiplist"
    if kind == "hash":
        small = contents.count <= limits.hash_entries and contents.max_len <= limits.hash_value
        return limits.compact if small and previous != "hashtable" else "hashtable"
    return "unknown"


def _string(contents: Contents, limits: Limits, previous: str | None, op: str | None) -> str:
    if op is None and previous is not None:  # nothing rewrote the value since it was last modelled
        return previous
    if op in RAW_STRING_OPS and (op != "APPEND" or previous is not None):
        return "raw"
    value = contents.entries[0][0] if contents.entries else None
    if op not in TEXT_STRING_OPS and value is not None and is_int64(value):
        return "int"
    fits = embstr_fits(limits, contents.count, contents.key_bytes)
    return "embstr" if fits else "raw"


def _list(contents: Contents, limits: Limits, previous: str | None) -> str:
    """7.2+: a listpack until a push would take it past the node size (``list-max-listpack-size``).

    Redis checks the listpack's bytes before a push plus the pushed elements' raw lengths
    (``listTypeTryConvertListpack``), so a list built by one push command is judged by the sum of
    its elements' lengths; a list that grew by earlier pushes is judged by its listpack bytes (which
    the check before the last push can only undercount). A quicklist goes back to a listpack only
    when it fits in half a node (no flapping at the edge).
    """
    if limits.list_listpack_bytes is None:
        return "quicklist"
    if previous is None:
        raw = sum(_blen(e[0]) for e in contents.entries)
        if not contents.complete and contents.entries:
            raw = round(raw / len(contents.entries) * contents.count)
        return limits.compact if LISTPACK_EMPTY + raw <= limits.list_listpack_bytes else "quicklist"
    size = listpack_bytes(contents.entries, contents.count, contents.complete)
    limit = limits.list_listpack_bytes // 2 if previous == "quicklist" else limits.list_listpack_bytes
    return limits.compact if size <= limit else "quicklist"


def _set(contents: Contents, limits: Limits, previous: str | None) -> str:
    if previous == "hashtable":
        return "hashtable"
    n, longest = contents.count, contents.max_len
    fits_listpack = (
        limits.set_listpack_entries is not None
        and n <= limits.set_listpack_entries
        and longest <= limits.set_listpack_value
    )
    if previous == limits.compact and limits.set_listpack_entries is not None:
        return limits.compact if fits_listpack else "hashtable"
    if contents.all_integers and n <= limits.set_intset_entries:
        return "intset"
    return limits.compact if fits_listpack else "hashtable"
