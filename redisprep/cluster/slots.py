"""Key-to-slot maths of Redis Cluster: CRC16 (XMODEM) of the key, or of its hash tag, mod 16384."""

from __future__ import annotations

import binascii
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

#: Number of hash slots in a Redis Cluster.
SLOTS = 16384


def _as_bytes(key: str | bytes) -> bytes:
    return key if isinstance(key, bytes) else key.encode("utf-8")


def hash_tag(key: str | bytes) -> str | None:
    """The hash tag of ``key``: the text between the first ``{`` and the next ``}``, if not empty.

    ``user:{42}:name`` -> ``42``; ``foo{}{bar}`` -> None (an empty first tag means no tag);
    ``foo{{bar}}`` -> ``{bar``.
    """
    raw = _as_bytes(key)
    start = raw.find(b"{")
    if start < 0:
        return None
    end = raw.find(b"}", start + 1)
    if end <= start + 1:
        return None
    return raw[start + 1 : end].decode("utf-8", "backslashreplace")


def hashed_part(key: str | bytes) -> bytes:
    """The bytes Redis hashes for ``key``: its hash tag if it has one, else the whole key."""
    raw = _as_bytes(key)
    start = raw.find(b"{")
    if start >= 0:
        end = raw.find(b"}", start + 1)
        if end > start + 1:
            return raw[start + 1 : end]
    return raw


def key_slot(key: str | bytes) -> int:
    """The slot of ``key``, as ``CLUSTER KEYSLOT`` computes it.

    ``binascii.crc_hqx(data, 0)`` is CRC16 with polynomial 0x1021 and initial value 0 (XMODEM), the
    variant the cluster specification uses: ``crc_hqx(b"123456789", 0) == 0x31C3``.
    """
    return binascii.crc_hqx(hashed_part(key), 0) % SLOTS


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
_ONE_KEY = frozenset(
    {"GET", "SET", "INCR", "INCRBY", "DECR", "STRLEN", "TTL", "PTTL", "TYPE", "EXPIRE", "PEXPIRE"}
    | {"SETEX", "PSETEX", "GETSET", "APPEND", "DUMP", "RESTORE", "GETDEL"}
)
_ALL_KEYS = frozenset({"MGET", "DEL", "UNLINK", "EXISTS", "TOUCH"})


def command_keys(args: Sequence[object]) -> list[str] | None:
    """The keys a command touches, for the string and generic commands the scaling drills send.

    Returns:
        The key names, or None when the command is not one this table knows.
    """
    if not args:
        return None
    name = str(args[0]).upper()
    rest = [str(a) for a in args[1:]]
    if name in _ONE_KEY:
        return rest[:1]
    if name in _ALL_KEYS:
        return rest
    if name in ("MSET", "MSETNX"):
        return rest[0::2]
    if name in ("EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO") and len(rest) >= 2:
        return rest[2 : 2 + int(rest[1])]
    return None
