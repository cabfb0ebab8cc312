"""Per command: which arguments are keys, what its N and M are for one call, and the work formula.

Each letter follows the command's documented complexity (``commands.json``): for ``ZRANGE`` the
docs say "N being the number of elements in the sorted set and M the number of elements returned",
so N is ``ZCARD`` of the key just before the call and M the length of the reply. ``items`` counts
what one call handles where the docs say "for each item". The work formula is the documented Big-O
with those numbers filled in (constants ignored): an order of magnitude, not a time.
The table is split by data type (:mod:`.keyspace`, :mod:`.collections`); :mod:`.spec` is one entry.
"""

from __future__ import annotations

import functools

from redisprep.explain.costs import collections, keyspace
from redisprep.explain.costs.costspec import CostSpec


@functools.cache
def _table() -> dict[str, CostSpec]:
    table: dict[str, CostSpec] = {}
    for part in keyspace.PARTS + collections.PARTS:
        table.update(part())
    return table


def cost_spec(name: str) -> CostSpec | None:
    """The cost spec of ``name`` (``ZADD``, ``XGROUP CREATE``), or None when not mapped."""
    return _table().get(name.upper())
