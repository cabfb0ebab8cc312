"""What the user wants sized: a data kind and its counts, parsed from ``100k``/``10M``-style text."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from redisprep.errors import BadUsageError, UnknownNameError

Kind = Literal["string", "hash", "zset", "set", "geo"]
KINDS: tuple[Kind, ...] = ("string", "hash", "zset", "set", "geo")

_COUNT = re.compile(r"(\d+(?:\.\d+)?|\.\d+)([kmgt]?)", re.IGNORECASE)
_BULK_MAX = 512 * 2**20  # proto-max-bulk-len: the longest string Redis accepts
_SCALE = {"": 1, "k": 10**3, "m": 10**6, "g": 10**9, "t": 10**12}

#: The options each kind takes (besides --keys, --key-bytes, --ttl, which every kind takes).
_OPTIONS: dict[Kind, frozenset[str]] = {
    "string": frozenset({"value_bytes", "integers"}),
    "hash": frozenset({"fields", "field_bytes", "value_bytes"}),
    "zset": frozenset({"members", "member_bytes"}),
    "set": frozenset({"members", "member_bytes", "integers"}),
    "geo": frozenset({"members", "member_bytes"}),
}


@dataclass(frozen=True, slots=True)
class Shape:
    """The data to size: ``keys`` keys of one kind, each holding ``entries`` members or fields."""

    kind: Kind
    keys: int
    """How many keys (a leaderboard is one key; a user-object cache is one key per user)."""
    entries: int
    """Members (zset, set, geo) or fields (hash) per key; 1 for a string."""
    key_bytes: int
    """Length of each key name."""
    member_bytes: int
    """Length of each member or field name (0 for a string)."""
    value_bytes: int
    """Length of each string value or hash value (0 for zset, set and geo)."""
    integers: bool = False
    """String values or set members are integers (``int`` strings, ``intset`` sets)."""
    ttl: bool = False
    """Every key has a time to live (an entry in the expires dict)."""

    @property
    def total_entries(self) -> int:
        """Keys times entries per key: what "per entry" divides by."""
        return self.keys * self.entries


def parse_count(text: str, option: str) -> int:
    """``100k`` as 100000, ``10M`` as 10000000, ``1.5G`` as 1500000000 (powers of ten).

    Underscores and commas between digits are ignored.

    Raises:
        BadUsageError: Not a count, or a fraction of one.
    """
    cleaned = text.strip().replace("_", "").replace(",", "")
    match = _COUNT.fullmatch(cleaned)
    if not match:
        raise BadUsageError(f"{option}: {text!r} is not a count such as 1000, 100k, 10M or 1.5G")
    number = float(match.group(1)) * _SCALE[match.group(2).lower()]
    if number != int(number):
        raise BadUsageError(f"{option}: {text!r} is not a whole number")
    return int(number)


def build_shape(kind: str, given: Mapping[str, str | int | bool | None]) -> Shape:
    """A :class:`Shape` from a kind and option values as typed, or as numbers (None: not given).

    ``given`` keys are ``keys``, ``members``, ``fields``, ``key_bytes``, ``member_bytes``,
    ``field_bytes``, ``value_bytes`` (text such as ``100k``, or an int) and ``integers``, ``ttl``
    (flags). The interview passes the candidate's numbers here: ``build_shape("zset", {"members":
    10_000_000, "member_bytes": 16})``.

    Raises:
        UnknownNameError: ``kind`` is not one of :data:`KINDS`.
        BadUsageError: A count that does not parse, is out of range, or does not apply to the kind.
    """
    if kind not in KINDS:
        raise UnknownNameError("kind", kind, list(KINDS))
    k: Kind = kind
    allowed = _OPTIONS[k] | {"keys", "key_bytes", "ttl"}
    for name, typed in given.items():
        if typed is not None and typed is not False and name not in allowed:
            raise BadUsageError(f"--{name.replace('_', '-')} does not apply to {kind}")

    def count(name: str, default: int, low: int = 1, high: int = 10**12) -> int:
        typed = given.get(name)
        n = default if typed is None else parse_count(str(typed), "--" + name.replace("_", "-"))
        if not low <= n <= high:
            raise BadUsageError(f"--{name.replace('_', '-')} must be between {low:,} and {high:,}, not {n:,}")
        return n

    one_key = k in ("zset", "set", "geo")
    entries = 1 if k == "string" else count("fields", 10) if k == "hash" else count("members", 1_000_000)
    member = count("field_bytes" if k == "hash" else "member_bytes", 16, 1, _BULK_MAX) if k != "string" else 0
    value = count("value_bytes", 100 if k == "string" else 16, 1, _BULK_MAX) if k in ("string", "hash") else 0
    integers = bool(given.get("integers"))
    if integers and k == "string" and value > 19:
        raise BadUsageError("--integers: an integer string has at most 19 digits (--value-bytes)")
    if integers and k == "set" and member > 19:
        raise BadUsageError("--integers: an integer member has at most 19 digits (--member-bytes)")
    return Shape(
        kind=k,
        keys=count("keys", 1 if one_key else 1_000_000),
        entries=entries,
        key_bytes=count("key_bytes", 16, 1, _BULK_MAX),
        member_bytes=member,
        value_bytes=value,
        integers=integers,
        ttl=bool(given.get("ttl")),
    )
