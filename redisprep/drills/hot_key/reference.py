"""Hot keys on a cluster: copies spread over the nodes, and a client-side cache with a short TTL.

One key always lives in one slot, so on one node: adding nodes does not spread its load. Two of the
remedies are client code (the third, reading from replicas, is a client setting):

Interface (what a practice solution implements; ``r`` is a cluster client):

- ``copy_key(key, i) -> str``: the name of copy ``i`` of ``key``; different copies must be able to
  hash to different slots.
- ``spread_copies(key, owner_of, nodes) -> list[str]``: one copy per node in ``nodes``, the suffixes
  chosen so that copy j lands on ``nodes[j]`` (``owner_of(slot)`` names the node serving a slot).
- ``write_copies(r, copies, value)``: write every copy (one command each: they live on different
  nodes, so no single command or transaction can write them together).
- ``read_copy(r, copies, rng) -> value``: read one copy chosen at random.
- ``cached_get(r, cache, key, now, ttl) -> value``: read through a per-process cache (a dict) whose
  entries expire ``ttl`` seconds after they were fetched; ``now`` is the caller's clock.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any

from redisprep.knowledge.slots import hash_tag, key_slot

#: How many suffixes :func:`spread_copies` tries per node before giving up on that node.
SEARCH_LIMIT = 10_000


def copy_key(key: str, i: int) -> str:
    """Copy ``i`` of ``key``: the suffix goes inside the hash tag when there is one.

    Only the tag is hashed, so ``{product:42}:3`` would share the original's slot; ``{product:42:3}``
    hashes differently.
    """
    tag = hash_tag(key)
    if tag is None:
        return f"{key}:{i}"
    return key.replace(f"{{{tag}}}", f"{{{tag}:{i}}}", 1)


def _spread(
    key: str, owner_of: Callable[[int], str], nodes: Sequence[str], name: Callable[[str, int], str]
) -> list[str]:
    copies: list[str] = []
    used: set[int] = set()
    for node in nodes:
        pick = next(
            (i for i in range(SEARCH_LIMIT) if i not in used and owner_of(key_slot(name(key, i))) == node),
            None,
        )
        if pick is None:  # no suffix reaches this node: take the next unused one anyway
            pick = next(i for i in range(SEARCH_LIMIT + len(nodes)) if i not in used)
        used.add(pick)
        copies.append(name(key, pick))
    return copies


def spread_copies(key: str, owner_of: Callable[[int], str], nodes: Sequence[str]) -> list[str]:
    """One copy per node: for each node, the first unused suffix whose slot that node serves."""
    return _spread(key, owner_of, nodes, copy_key)


def write_copies(r: Any, copies: Sequence[str], value: str) -> None:
    """SET every copy. Readers may see old and new values side by side until the last SET lands."""
    for name in copies:
        r.set(name, value)


def read_copy(r: Any, copies: Sequence[str], rng: random.Random) -> Any:
    """GET a random copy: each node serves about 1/len(copies) of the hot key's reads."""
    return r.get(rng.choice(list(copies)))


def cached_get(r: Any, cache: dict[str, tuple[Any, float]], key: str, now: float, ttl: float) -> Any:
    """Serve ``key`` from ``cache`` while its entry is younger than ``ttl``; otherwise GET and keep it.

    Each process then sends at most one GET per ``ttl`` for the key, whatever its read rate, and may
    serve a value up to ``ttl`` seconds old.
    """
    entry = cache.get(key)
    if entry is not None and now < entry[1]:
        return entry[0]
    value = r.get(key)
    cache[key] = (value, now + ttl)
    return value


def naive_copy_key(key: str, i: int) -> str:
    """Appends the suffix after the key, outside its hash tag: every copy hashes like the original."""
    return f"{key}:{i}"


def naive_spread_copies(key: str, owner_of: Callable[[int], str], nodes: Sequence[str]) -> list[str]:
    """:func:`spread_copies` built on :func:`naive_copy_key`."""
    return _spread(key, owner_of, nodes, naive_copy_key)


def naive_cached_get(r: Any, cache: dict[str, tuple[Any, float]], key: str, now: float, ttl: float) -> Any:
    """Caches forever: no TTL and no invalidation, so a change to the key is never seen."""
    if key not in cache:
        cache[key] = (r.get(key), float("inf"))
    return cache[key][0]
