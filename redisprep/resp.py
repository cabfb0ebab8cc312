"""Read map-shaped replies the same way whichever protocol carried them.

RESP3 sends maps; RESP2 sends the same maps flattened into ``[key, value, key, value, ...]``.
redisprep's clients speak RESP2 (:data:`redisprep.backends.PROTOCOL`), and redis-py only converts
some replies itself, so the rest (``COMMAND DOCS``, ``CLUSTER SHARDS``) are read with these.
"""

from __future__ import annotations

from typing import Any


def as_map(reply: Any) -> dict[Any, Any]:
    """``{key: value}`` from a RESP3 map or a flattened RESP2 one (anything else: empty)."""
    if isinstance(reply, dict):
        return dict(reply)
    if isinstance(reply, list | tuple):
        return dict(zip(reply[::2], reply[1::2], strict=False))
    return {}
