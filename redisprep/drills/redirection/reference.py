"""Cluster routing: keys that may share a command, and how a smart client follows MOVED and ASK.

Interface (what a practice solution implements):

- ``keys_for(prefix, entity, fields) -> list[str]``: key names for several fields of one entity,
  chosen so that one multi-key command (``MSET``, ``MGET``, a Lua script, ``MULTI``) may use them
  together on a cluster: they must hash to one slot.
- ``follow_redirect(slot_map, kind, slot, address) -> tuple[str, bool]``: after a ``-MOVED`` or
  ``-ASK`` reply for ``slot`` naming ``address`` (``host:port``), return the node to retry at and
  whether to send ``ASKING`` first. ``slot_map`` is the client's cached layout (a list: slot ->
  ``host:port`` of its primary); change it only when the redirect says the slot has moved for good.

Both are pure functions: no round trips.
"""

from __future__ import annotations

from collections.abc import MutableSequence, Sequence

from redisprep.cluster.router import follow_redirect as follow_redirect


def keys_for(prefix: str, entity: str, fields: Sequence[str]) -> list[str]:
    """``<prefix>{<entity>}:<field>``: only the hash tag is hashed, so every field shares a slot."""
    return [f"{prefix}{{{entity}}}:{field}" for field in fields]


def naive_keys_for(prefix: str, entity: str, fields: Sequence[str]) -> list[str]:
    """``<prefix><entity>:<field>``: no hash tag, so each field lands in a slot of its own."""
    return [f"{prefix}{entity}:{field}" for field in fields]


def naive_ask_like_moved(
    slot_map: MutableSequence[str], kind: str, slot: int, address: str
) -> tuple[str, bool]:
    """Treats ASK as MOVED: rewrites the map and skips ASKING, so the target sends it straight back."""
    slot_map[slot] = address
    return address, False


def naive_moved_without_update(
    slot_map: MutableSequence[str], kind: str, slot: int, address: str
) -> tuple[str, bool]:
    """Follows MOVED but never updates the map: every later request for the slot is redirected."""
    return address, kind == "ASK"
