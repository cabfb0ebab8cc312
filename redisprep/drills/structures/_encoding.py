"""A key's internal encoding: read with OBJECT ENCODING where the server has it, else modelled.

fakeredis has no OBJECT command, so on the embedded backend the encoding is *modelled* from the
thresholds of Redis's default configuration and labelled ``modelled``. This model is deliberately
minimal and stateless; it will be replaced by explain mode's encoding model
(``redisprep/explain/encoding.py``) when the branches merge: keep every caller on
:func:`encoding_of` and :func:`limits_of` so that swap touches this file only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from redisprep.drills.context import DrillContext

Source = Literal["read", "modelled"]

_INT = re.compile(r"0|-?[1-9][0-9]*")  # the canonical form Redis stores as int ("-0", "007" are not)
_INT64 = (-(2**63), 2**63 - 1)
#: Strings up to this many bytes share one allocation with their object (OBJ_ENCODING_EMBSTR_SIZE_LIMIT).
EMBSTR_LIMIT = 44
#: Bytes per quicklist node for the negative list-max-listpack-size settings -1 .. -5.
_LIST_NODE_BYTES = {-1: 4096, -2: 8192, -3: 16384, -4: 32768, -5: 65536}


@dataclass(frozen=True, slots=True)
class Encoding:
    """The encoding of one key, and whether the server said so or the model guessed it."""

    name: str
    """``listpack``, ``skiplist``, ``intset``, ``hashtable``, ``quicklist``, ``int``, ``embstr``, ..."""
    source: Source
    """``read`` (OBJECT ENCODING on a live server) or ``modelled`` (embedded backend)."""


@dataclass(frozen=True, slots=True)
class Limits:
    """The thresholds at which small encodings convert (Redis 7.0 defaults unless read from the server)."""

    hash_max_listpack_entries: int = 512
    hash_max_listpack_value: int = 64
    zset_max_listpack_entries: int = 128
    zset_max_listpack_value: int = 64
    set_max_intset_entries: int = 512
    set_max_listpack_entries: int = 128
    """Redis 7.2+ only: small sets of strings are listpacks (7.0 always uses a hashtable)."""
    set_max_listpack_value: int = 64
    list_max_listpack_size: int = -2
    """Negative: a byte limit per node (-2 is 8 KB); positive: an entry count."""
    read_from_server: bool = False
    """True when CONFIG GET supplied the values; False for the documented defaults."""


def limits_of(ctx: DrillContext) -> Limits:
    """The server's thresholds from ``CONFIG GET`` where allowed, else Redis 7.0's defaults.

    CONFIG GET is read-only; managed services often refuse it, and fakeredis lacks it.
    """
    import redis

    if ctx.backend.is_simulated:
        return Limits()
    try:
        with ctx.tracer.paused():
            config = ctx.backend.client().config_get("*-max-*")
    except redis.ResponseError:
        return Limits()
    values: dict[str, Any] = {}
    for f in fields(Limits):
        raw = config.get(f.name.replace("_", "-")) if isinstance(config, dict) else None
        if raw is not None and str(raw).lstrip("-").isdigit():
            values[f.name] = int(raw)
    return Limits(**values, read_from_server=True) if values else Limits()


def encoding_of(ctx: DrillContext, key: str, *, changed_in_place: bool = False) -> Encoding:
    """The encoding of ``key``: OBJECT ENCODING where the server has it, else the model.

    Args:
        ctx: The drill context (its backend decides read or modelled).
        key: The key to inspect.
        changed_in_place: The string was written by APPEND, SETRANGE, SETBIT, BITFIELD or PFADD,
            which Redis always leaves ``raw`` (the stateless model cannot see a value's history).
    """
    if ctx.backend.has_command("object"):
        return Encoding(str(ctx.r.object("encoding", key)), "read")
    with ctx.tracer.paused():
        name = model(ctx.r, key, ctx.backend.version, Limits(), changed_in_place=changed_in_place)
    return Encoding(name, "modelled")


def model(
    r: Any,
    key: str,
    version: tuple[int, ...],
    limits: Limits,
    *,
    changed_in_place: bool = False,
) -> str:
    """Model the encoding Redis ``version`` would give ``key``'s current contents.

    Stateless: Redis never converts a big encoding back to a small one while it runs (a hash that
    grew past the limit stays a hashtable after HDEL), which this model cannot know.
    """
    kind = str(r.type(key))
    if kind == "string":
        return _string(r, key, changed_in_place)
    if kind == "hash":
        pairs = r.hgetall(key)
        small = len(pairs) <= limits.hash_max_listpack_entries and _short(
            [*pairs, *pairs.values()], limits.hash_max_listpack_value
        )
        return "listpack" if small else "hashtable"
    if kind == "zset":
        members = r.zrange(key, 0, -1)
        small = len(members) <= limits.zset_max_listpack_entries and _short(
            members, limits.zset_max_listpack_value
        )
        return "listpack" if small else "skiplist"
    if kind == "set":
        return _set(list(r.smembers(key)), version, limits)
    if kind == "list":
        return _list(r.lrange(key, 0, -1), version, limits)
    if kind == "stream":
        return "stream"
    return "none" if kind == "none" else "unknown"


def _string(r: Any, key: str, changed_in_place: bool) -> str:
    import redis

    if changed_in_place:
        return "raw"
    try:
        size = int(r.strlen(key))
    except redis.ResponseError:  # fakeredis refuses STRLEN on a HyperLogLog; Redis keeps it raw
        return "raw"
    if size <= 20:
        try:
            text = str(r.get(key))
        except UnicodeDecodeError:  # binary, so not an integer
            text = ""
        if _is_int64(text):
            return "int"
    return "embstr" if size <= EMBSTR_LIMIT else "raw"


def _set(members: list[str], version: tuple[int, ...], limits: Limits) -> str:
    if len(members) <= limits.set_max_intset_entries and all(_is_int64(m) for m in members):
        return "intset"
    if (
        version >= (7, 2)
        and len(members) <= limits.set_max_listpack_entries
        and _short(members, limits.set_max_listpack_value)
    ):
        return "listpack"
    return "hashtable"


def _list(items: list[str], version: tuple[int, ...], limits: Limits) -> str:
    if version < (7, 2):
        return "quicklist"
    size = limits.list_max_listpack_size
    if size >= 0:
        return "listpack" if len(items) <= size else "quicklist"
    # A listpack entry costs its bytes plus a few of header; 11 bytes of list header.
    approx = 11 + sum(len(str(i).encode()) + 2 for i in items)
    return "listpack" if approx <= _LIST_NODE_BYTES.get(size, 8192) else "quicklist"


def _short(values: list[str], limit: int) -> bool:
    return all(len(str(v).encode()) <= limit for v in values)


def _is_int64(text: str) -> bool:
    return bool(_INT.fullmatch(text)) and _INT64[0] <= int(text) <= _INT64[1]
