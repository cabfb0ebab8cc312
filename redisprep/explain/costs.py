"""Per command: which arguments are keys, what its N and M are for one call, and the work formula.

Each letter follows the command's documented complexity (``commands.json``): for ``ZRANGE`` the
docs say "N being the number of elements in the sorted set and M the number of elements returned",
so N is ``ZCARD`` of the key just before the call and M the length of the reply. ``items`` counts
what one call handles where the docs say "for each item". The work formula is the documented Big-O
with those numbers filled in (constants ignored): an order of magnitude, not a time.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field

from redisprep.explain import measures as m
from redisprep.explain.measures import NO_KEYS, KeySpec, Measure


@dataclass(frozen=True, slots=True)
class CostSpec:
    """How to cost one command."""

    keys: KeySpec = NO_KEYS
    vars: Mapping[str, Measure] = field(default_factory=dict)
    work: str = "1"
    """The Big-O with letters from :attr:`vars` (``log(N)+M``); ``log`` is base 2."""
    reads: bool = False
    """Never changes a key, so the state after is the state before."""
    fresh: bool = False
    """Builds its destination (the first key) from scratch (STORE commands, RESTORE)."""
    meta: bool = False
    """Changes only metadata (a TTL), never the value or its encoding."""
    probes: frozenset[str] = frozenset()
    """Server-wide figures it needs (``dbsize``)."""


_FIRST_KEY = m.at(1)


def spec(
    keys: KeySpec = _FIRST_KEY,
    work: str = "1",
    reads: bool = False,
    fresh: bool = False,
    meta: bool = False,
    probes: frozenset[str] = frozenset(),
    **letters: Measure,
) -> CostSpec:
    """A :class:`CostSpec`; the keyword arguments beyond the flags are the letters (``N=size(1)``)."""
    return CostSpec(keys, letters, work, reads, fresh, meta, probes)


@functools.cache
def _table() -> dict[str, CostSpec]:
    from redisprep.explain import costs_collections, costs_keyspace

    table: dict[str, CostSpec] = {}
    for part in costs_keyspace.PARTS + costs_collections.PARTS:
        table.update(part())
    return table


def cost_spec(name: str) -> CostSpec | None:
    """The cost spec of ``name`` (``ZADD``, ``XGROUP CREATE``), or None when not mapped."""
    return _table().get(name.upper())
