"""A Bloom filter on core bit commands (runs on every Redis), and the same through BF.* where present.

Interface (``r`` is a ``redis.Redis`` client):

- ``sizing(capacity, error_rate) -> BloomSpec``: bits and hash count for ``capacity`` items at
  ``error_rate`` false positives.
- ``add_many(r, key, spec, items) -> int``: add items; returns how many were certainly new.
- ``might_contain_many(r, key, spec, items) -> list[bool]``: False means "never added" (certain),
  True means "probably added".

The k bit positions of an item come from one 128-bit BLAKE2b digest split into two 64-bit halves,
``h1 + i * h2 mod m`` (Kirsch and Mitzenmacher, "Less hashing, same performance", 2006), computed
in the client so every server and client agree. One item costs one BITFIELD command with k
``SET u1`` or ``GET u1`` operations. A batch add is one pipelined round trip; a batch query asks
bit by bit (up to k round trips) and stops asking about an item at its first 0 bit, so a
never-added item usually costs one or two bit reads instead of k.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

CHUNK = 250  # items per BITFIELD command in a batch (k operations each)


@dataclass(frozen=True, slots=True)
class BloomSpec:
    """A filter's shape."""

    bits: int
    """m, the size of the bit array (STRLEN of the key is m/8 bytes)."""
    hashes: int
    """k, the bits set per item."""
    capacity: int
    """n, the item count it was sized for."""
    error_rate: float
    """p, the false-positive rate it was sized for."""


def sizing(capacity: int, error_rate: float) -> BloomSpec:
    """m = -n ln p / (ln 2)^2 bits and k = (m / n) ln 2 hashes (rounded)."""
    bits = math.ceil(-capacity * math.log(error_rate) / math.log(2) ** 2)
    hashes = max(1, round(bits / capacity * math.log(2)))
    return BloomSpec(bits, hashes, capacity, error_rate)


def theoretical_fp(spec: BloomSpec, inserted: int) -> float:
    """(1 - e^(-kn/m))^k: the expected false-positive rate after ``inserted`` items."""
    return float((1 - math.exp(-spec.hashes * inserted / spec.bits)) ** spec.hashes)


def positions(spec: BloomSpec, item: str) -> list[int]:
    """The k bit offsets of ``item``."""
    digest = hashlib.blake2b(item.encode(), digest_size=16).digest()
    h1 = int.from_bytes(digest[:8], "little")
    h2 = int.from_bytes(digest[8:], "little") | 1  # odd, so the k positions differ
    return [(h1 + i * h2) % spec.bits for i in range(spec.hashes)]


def add(r: Any, key: str, spec: BloomSpec, item: str) -> bool:
    """BITFIELD key SET u1 o1 1 ... SET u1 ok 1: True when some bit was 0 (the item is new)."""
    old = r.execute_command("BITFIELD", key, *_ops("SET", spec, [item]))
    return not all(old)


def might_contain(r: Any, key: str, spec: BloomSpec, item: str) -> bool:
    """BITFIELD key GET u1 o1 ... GET u1 ok: True when all k bits are set."""
    return all(r.execute_command("BITFIELD", key, *_ops("GET", spec, [item])))


def add_many(r: Any, key: str, spec: BloomSpec, items: Sequence[str]) -> int:
    """One BITFIELD per chunk of items, all chunks in one pipelined round trip."""
    replies = _batched(r, key, "SET", spec, items)
    k = spec.hashes
    return sum(1 for i in range(len(items)) if not all(replies[i * k : (i + 1) * k]))


def might_contain_many(r: Any, key: str, spec: BloomSpec, items: Sequence[str]) -> list[bool]:
    """Round i reads bit i of every item still possibly present (one pipelined BITFIELD batch)."""
    offsets = [positions(spec, item) for item in items]
    alive = list(range(len(items)))
    for i in range(spec.hashes):
        if not alive:
            break
        bits = _read_bits(r, key, [offsets[j][i] for j in alive])
        alive = [j for j, bit in zip(alive, bits, strict=True) if bit]
    present = set(alive)
    return [j in present for j in range(len(items))]


def _ops(op: str, spec: BloomSpec, items: Sequence[str]) -> list[Any]:
    args: list[Any] = []
    for item in items:
        for offset in positions(spec, item):
            args += [op, "u1", offset, 1] if op == "SET" else [op, "u1", offset]
    return args


def _batched(r: Any, key: str, op: str, spec: BloomSpec, items: Sequence[str]) -> list[int]:
    pipe = r.pipeline(transaction=False)
    for start in range(0, len(items), CHUNK):
        pipe.execute_command("BITFIELD", key, *_ops(op, spec, items[start : start + CHUNK]))
    return [int(bit) for reply in pipe.execute() for bit in reply]


def _read_bits(r: Any, key: str, offsets: Sequence[int]) -> list[int]:
    pipe = r.pipeline(transaction=False)
    for start in range(0, len(offsets), CHUNK * 4):
        args: list[Any] = []
        for offset in offsets[start : start + CHUNK * 4]:
            args += ["GET", "u1", offset]
        pipe.execute_command("BITFIELD", key, *args)
    return [int(bit) for reply in pipe.execute() for bit in reply]


# --- the same through RedisBloom's BF.* commands (Redis Stack, Redis 8, fakeredis) --------------


def bf_reserve(r: Any, key: str, error_rate: float, capacity: int) -> None:
    """BF.RESERVE key error_rate capacity: the module sizes the filter itself."""
    r.execute_command("BF.RESERVE", key, error_rate, capacity)


def bf_add_many(r: Any, key: str, items: Sequence[str]) -> int:
    """BF.MADD: returns how many were new."""
    return sum(int(x) for x in r.execute_command("BF.MADD", key, *items))


def bf_might_contain_many(r: Any, key: str, items: Sequence[str]) -> list[bool]:
    """BF.MEXISTS: one flag per item."""
    return [bool(int(x)) for x in r.execute_command("BF.MEXISTS", key, *items)]


# --- naive variant: one hash into a bitmap of the same size --------------------------------------


def naive_sizing(capacity: int, error_rate: float) -> BloomSpec:
    """The right number of bits but a single hash: a plain hashed bitmap, about 10% false positives
    at 1% sizing, because one bit per item is far easier to hit by chance than seven."""
    spec = sizing(capacity, error_rate)
    return BloomSpec(spec.bits, 1, capacity, error_rate)
