"""How big the single-thread drill's datasets are, and how long each of its windows times GETs.

``$REDISPREP_SINGLE_THREAD_SIZE=small`` (what the test suite sets) runs every step and check the
same way on smaller datasets and shorter windows: a few seconds instead of about twenty, with
smaller stalls. Its set is still big enough that DEL stalls well above the stall floor.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from redisprep.errors import BadUsageError

SIZE_ENV = "REDISPREP_SINGLE_THREAD_SIZE"


@dataclass(frozen=True, slots=True)
class Workload:
    """The sizes one run uses."""

    name: str
    keys: int
    """String keys KEYS walks (it matches none of them: the walk is the cost)."""
    zset_members: int
    """Members of each of the two sorted sets ZUNIONSTORE merges."""
    set_members: int
    """Members of each set DEL or UNLINK removes."""
    lead_s: float
    """Seconds of GETs timed before the slow command starts."""
    idle_s: float
    """Seconds an idle window lasts between its lead and its tail."""
    tail_s: float
    """Seconds of GETs timed after the slow command returns."""


FULL = Workload("full", 1_000_000, 50_000, 1_000_000, 0.2, 0.3, 0.3)
#: DEL of a 200,000-member set built by scripts took 58-100 ms on this machine (2 cores, load 2.6),
#: three times the stall floor, yet at load 20 it stayed under 5x an idle p99 that hiccups had
#: raised to 40 ms (163 ms against 199): twice that many members keep the stall clear of it.
SMALL = Workload("small", 100_000, 10_000, 400_000, 0.05, 0.1, 0.1)
SIZES = {w.name: w for w in (FULL, SMALL)}


def workload(environ: Mapping[str, str] | None = None) -> Workload:
    """The workload ``$REDISPREP_SINGLE_THREAD_SIZE`` names (``full`` when unset).

    Raises:
        BadUsageError: It names neither ``full`` nor ``small``.
    """
    env = os.environ if environ is None else environ
    name = env.get(SIZE_ENV, "").strip().lower() or FULL.name
    if name not in SIZES:
        raise BadUsageError(f"${SIZE_ENV} is {name!r}; use one of: {', '.join(SIZES)}")
    return SIZES[name]
