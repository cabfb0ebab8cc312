"""Removing a big key: the reference implementation of the single-thread drill, and the naive variant.

Interface (what a practice solution implements; ``r`` is a ``redis.Redis`` client):

- ``drop(r, key) -> int``: remove ``key``, however big its value, without stalling the server's
  other clients; return how many keys were removed.
"""

from __future__ import annotations

from typing import Any


def drop(r: Any, key: str) -> int:
    """UNLINK: O(1) on the main thread; a background thread frees the value's memory afterwards."""
    return int(r.unlink(key))


def naive_drop(r: Any, key: str) -> int:
    """DEL: frees every element on the main thread, O(N) for a collection, while every client waits."""
    return int(r.delete(key))
