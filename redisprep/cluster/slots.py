"""Slot layouts of Redis Cluster: the ranges a cluster gives its masters, owner maps, slot reports."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from redisprep.knowledge.keyspecs import command_keys as key_positions
from redisprep.knowledge.slots import SLOTS, hash_tag, key_slot


def default_ranges(masters: int) -> list[tuple[int, int]]:
    """The slot range each master gets from ``redis-cli --cluster create`` (in node order).

    Mirrors redis-cli: ``16384 / masters`` slots each, boundaries rounded half away from zero, the
    last master taking the rest. Three masters get 0-5460, 5461-10922 and 10923-16383.
    """
    if masters < 1:
        raise ValueError("a cluster needs at least one master")
    per_node = SLOTS / masters
    ranges = []
    first, cursor = 0, 0.0
    for i in range(masters):
        last = math.floor(cursor + per_node - 1 + 0.5)
        if last > SLOTS - 1 or i == masters - 1:
            last = SLOTS - 1
        last = max(last, first)
        ranges.append((first, last))
        first = last + 1
        cursor += per_node
    return ranges


@dataclass(frozen=True, slots=True)
class SlotInfo:
    """Where one key lives."""

    key: str
    slot: int
    tag: str | None
    """The hash tag that decided the slot, or None when the whole key was hashed."""
    owner: str | None = None
    """The node serving the slot (``host:port``), when a cluster (or its simulation) was asked."""
    server_slot: int | None = None
    """What the server's ``CLUSTER KEYSLOT`` answered, when a real cluster was asked."""


@dataclass(frozen=True, slots=True)
class SlotReport:
    """The slots of several keys and whether one command may use them together."""

    keys: tuple[SlotInfo, ...]
    owners_from: str | None
    """Where the owners came from (a cluster's address, or ``simulated ...``); None if not asked."""
    simulated: bool = False
    """The owners come from the simulated layout, not from a running cluster."""

    @property
    def slots(self) -> tuple[int, ...]:
        """The distinct slots, in first-seen order."""
        return tuple(dict.fromkeys(k.slot for k in self.keys))

    @property
    def same_slot(self) -> bool:
        """True when every key hashes to one slot: MSET, MGET, Lua and MULTI may use them together."""
        return len(self.slots) == 1


def slot_report(
    keys: Sequence[str],
    owner_of: Callable[[int], str] | None = None,
    owners_from: str | None = None,
    *,
    server_slot: Callable[[str], int] | None = None,
    simulated: bool = False,
) -> SlotReport:
    """Slot, hash tag and (optionally) owning node of each key.

    Args:
        keys: Key names.
        owner_of: Maps a slot to the node serving it; None to leave owners out.
        owners_from: A label for where ``owner_of`` got its map.
        server_slot: Asks a server for a key's slot (``CLUSTER KEYSLOT``), to show they agree.
        simulated: ``owner_of`` is a simulated layout.
    """
    infos = tuple(
        SlotInfo(
            k,
            key_slot(k),
            hash_tag(k),
            owner_of(key_slot(k)) if owner_of else None,
            server_slot(k) if server_slot else None,
        )
        for k in keys
    )
    return SlotReport(infos, owners_from if owner_of else None, simulated)


def owner_table(ranges: Iterable[tuple[int, int, str]]) -> list[str]:
    """Expand ``(first, last, node)`` ranges into a list mapping every slot to its node.

    Raises:
        ValueError: Some slot is not covered.
    """
    table: list[str | None] = [None] * SLOTS
    for first, last, node in ranges:
        for slot in range(first, last + 1):
            table[slot] = node
    missing = [i for i, n in enumerate(table) if n is None]
    if missing:
        raise ValueError(f"{len(missing)} slots are not served by any node (first: {missing[0]})")
    return [n for n in table if n is not None]


#: Commands the simulation and :class:`redisprep.cluster.router.RoutingClient` may send to a replica.
READ_COMMANDS = frozenset({"GET", "MGET", "EXISTS", "STRLEN", "TTL", "PTTL", "TYPE", "DUMP"})
#: Commands the simulation and the routing client run: the string and generic commands the scaling
#: drills send. Which of their arguments are keys is Redis's key specs' to say.
ROUTED_COMMANDS = READ_COMMANDS | frozenset(
    {"SET", "INCR", "INCRBY", "DECR", "EXPIRE", "PEXPIRE", "SETEX", "PSETEX", "GETSET", "APPEND"}
    | {"RESTORE", "GETDEL", "DEL", "UNLINK", "TOUCH", "MSET", "MSETNX"}
    | {"EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO"}
)


def command_keys(args: Sequence[object]) -> list[str] | None:
    """The keys a command touches, for the commands the simulation runs (:data:`ROUTED_COMMANDS`).

    Returns:
        The key names, or None for a command the simulation does not run.
    """
    if not args:
        return None
    argv = [str(a) for a in args]
    name = argv[0].upper()
    if name not in ROUTED_COMMANDS or (name.startswith("EVAL") and len(argv) < 3):
        return None
    found = key_positions(argv)
    return None if found is None else [argv[p] for p in found.positions]
