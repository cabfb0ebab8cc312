"""The cost spec of one command (its letters N and M, the work formula) and its builder.

Which arguments are keys is not here: :func:`redisprep.knowledge.keyspecs.command_keys` says it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from redisprep.explain.measures import Measure


@dataclass(frozen=True, slots=True)
class CostSpec:
    """How to cost one command."""

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


def spec(
    work: str = "1",
    reads: bool = False,
    fresh: bool = False,
    meta: bool = False,
    probes: frozenset[str] = frozenset(),
    **letters: Measure,
) -> CostSpec:
    """A :class:`CostSpec`; the keyword arguments beyond the flags are the letters (``N=size(1)``)."""
    return CostSpec(letters, work, reads, fresh, meta, probes)
