"""The acknowledged write the persistence drill counts, one round trip each.

Interface (``r`` is a ``redis.Redis`` client):

- ``write(r, key) -> int``: one write the server acknowledges, returning its sequence number
  (1, 2, 3, ...), so the highest number acknowledged says how many writes came before it.
"""

from __future__ import annotations

from typing import Any


def write(r: Any, key: str) -> int:
    """INCR, O(1): the reply is the new count, which is this write's sequence number."""
    return int(r.incr(key))
