"""A key's internal encoding: read with OBJECT ENCODING where the server has it, else modelled.

fakeredis has no OBJECT command, so on the embedded backend the encoding is *modelled* and labelled
``modelled``. The model is explain mode's (:mod:`redisprep.explain.encoding`), fed with the
thresholds this server's configuration actually has (:func:`limits_of`).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Any, Literal

from redisprep.explain.key_inspectors import EmbeddedInspector
from redisprep.knowledge.limits import (
    LIMITS_7_0,
    LIMITS_7_2,
    LIST_MAX_LISTPACK_SIZE,
    LIST_NODE_BYTES,
    Limits,
)
from redisprep.release import limits_for

if TYPE_CHECKING:
    from redisprep.drills.context import DrillContext
    from redisprep.release import Release

Source = Literal["read", "modelled"]

#: Strings up to this many bytes share one allocation with their object (OBJ_ENCODING_EMBSTR_SIZE_LIMIT).
EMBSTR_LIMIT = LIMITS_7_0.embstr_limit


@dataclass(frozen=True, slots=True)
class Encoding:
    """The encoding of one key, and whether the server said so or the model guessed it."""

    name: str
    """``listpack``, ``skiplist``, ``intset``, ``hashtable``, ``quicklist``, ``int``, ``embstr``, ..."""
    source: Source
    """``read`` (OBJECT ENCODING on a live server) or ``modelled`` (embedded backend)."""


@dataclass(frozen=True, slots=True)
class EncodingConfig:
    """The thresholds at which small encodings convert, by their ``redis.conf`` names.

    Redis 7.0's defaults (:mod:`redisprep.knowledge.limits`) unless read from the server.
    """

    hash_max_listpack_entries: int = LIMITS_7_0.hash_entries
    hash_max_listpack_value: int = LIMITS_7_0.hash_value
    zset_max_listpack_entries: int = LIMITS_7_0.zset_entries
    zset_max_listpack_value: int = LIMITS_7_0.zset_value
    set_max_intset_entries: int = LIMITS_7_0.set_intset_entries
    set_max_listpack_entries: int = LIMITS_7_2.set_listpack_entries or 0
    """Redis 7.2+ only: small sets of strings are listpacks (7.0 always uses a hashtable)."""
    set_max_listpack_value: int = LIMITS_7_0.set_listpack_value
    list_max_listpack_size: int = LIST_MAX_LISTPACK_SIZE
    """Negative: a byte limit per node (-2 is 8 KB); positive: an entry count."""
    read_from_server: bool = False
    """True when CONFIG GET supplied the values; False for the documented defaults."""


def limits_of(ctx: DrillContext) -> EncodingConfig:
    """The server's thresholds from ``CONFIG GET`` where allowed, else Redis 7.0's defaults.

    CONFIG GET is read-only; managed services often refuse it, and fakeredis lacks it.
    """
    import redis

    if ctx.backend.is_simulated:
        return EncodingConfig()
    try:
        with ctx.tracer.paused():
            config = ctx.backend.client().config_get("*-max-*")
    except redis.ResponseError:
        return EncodingConfig()
    values: dict[str, Any] = {}
    for f in fields(EncodingConfig):
        name = f.name.replace("_", "-")
        # Redis 6.2 names the compact-encoding settings "ziplist" (7.0 answers to both names).
        names = (name, name.replace("listpack", "ziplist"))
        raw = next((config[n] for n in names if n in config), None) if isinstance(config, dict) else None
        if raw is not None and str(raw).lstrip("-").isdigit():
            values[f.name] = int(raw)
    return EncodingConfig(**values, read_from_server=True) if values else EncodingConfig()


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
        name = model(ctx.r, key, ctx.backend.release, EncodingConfig(), changed_in_place=changed_in_place)
    return Encoding(name, "modelled")


def model(
    r: Any,
    key: str,
    release: Release,
    limits: EncodingConfig,
    *,
    changed_in_place: bool = False,
) -> str:
    """Model the encoding ``release`` would give ``key``'s current contents.

    Stateless: Redis never converts a big encoding back to a small one while it runs (a hash that
    grew past the limit stays a hashtable after HDEL), which a model without history cannot know.

    Args:
        changed_in_place: The string was written by APPEND, SETRANGE, SETBIT, BITFIELD or PFADD,
            which Redis always leaves ``raw``.
    """

    inspector = EmbeddedInspector(r, _explain_limits(release, limits))
    # SETBIT stands for every in-place edit: the model leaves such a string raw.
    state = inspector.states([key], op="SETBIT" if changed_in_place else None)[key]
    return state.encoding or ("none" if state.type == "none" else "unknown")


def _explain_limits(release: Release, limits: EncodingConfig) -> Limits:
    """Explain's thresholds for ``release``, with this server's configured values."""
    base = limits_for(release)
    after_7_2 = base.set_listpack_entries is not None
    return replace(
        base,
        zset_entries=limits.zset_max_listpack_entries,
        zset_value=limits.zset_max_listpack_value,
        hash_entries=limits.hash_max_listpack_entries,
        hash_value=limits.hash_max_listpack_value,
        set_intset_entries=limits.set_max_intset_entries,
        set_listpack_entries=limits.set_max_listpack_entries if after_7_2 else None,
        set_listpack_value=limits.set_max_listpack_value,
        list_listpack_bytes=_list_bytes(limits.list_max_listpack_size) if after_7_2 else None,
    )


def _list_bytes(size: int) -> int | None:
    """Bytes per listpack for a negative ``list-max-listpack-size``; None for a count limit."""
    return LIST_NODE_BYTES.get(size, LIMITS_7_0.list_node_bytes) if size < 0 else None
