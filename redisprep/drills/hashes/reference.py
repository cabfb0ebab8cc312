"""Objects as hashes: field-level reads and updates, counters inside an object, field expiry.

Interface (``r`` is a ``redis.Redis`` client):

- ``save(r, key, fields) -> None``: store an object (a dict of text fields).
- ``load(r, key) -> dict[str, str]``: the whole object ({} when absent).
- ``set_field(r, key, field, value) -> None``: change one field, leaving the others as they are.
- ``add_to_field(r, key, field, by) -> int``: add to a numeric field, return the new value.
- ``expire_field(r, key, field, seconds) -> bool``: give one field its own TTL (HEXPIRE, Redis 7.4+;
  servers without it answer "unknown command": detect with ``backend.has_command("hexpire")``).

Every function costs one round trip.
"""

from __future__ import annotations

import json
from typing import Any


def save(r: Any, key: str, fields: dict[str, Any]) -> None:
    """HSET key f1 v1 f2 v2 ...: O(1) per field."""
    r.hset(key, mapping=fields)


def load(r: Any, key: str) -> dict[str, str]:
    """HGETALL: O(N) in the number of fields."""
    return {str(k): str(v) for k, v in r.hgetall(key).items()}


def set_field(r: Any, key: str, field: str, value: Any) -> None:
    """HSET key field value: the server changes one field; nothing is read into the application."""
    r.hset(key, field, value)


def add_to_field(r: Any, key: str, field: str, by: int) -> int:
    """HINCRBY: atomic in the server, O(1); a missing field counts from 0."""
    return int(r.hincrby(key, field, by))


def expire_field(r: Any, key: str, field: str, seconds: int) -> bool:
    """HEXPIRE key seconds FIELDS 1 field (7.4+): True when the TTL was set."""
    reply = r.execute_command("HEXPIRE", key, seconds, "FIELDS", 1, field)
    return bool(reply) and int(reply[0]) == 1


# --- naive variants: the object as one JSON string ----------------------------------------------


def naive_save(r: Any, key: str, fields: dict[str, Any]) -> None:
    """SET key <json>: the whole object as one value."""
    r.set(key, json.dumps({k: str(v) for k, v in fields.items()}))


def naive_load(r: Any, key: str) -> dict[str, str]:
    """GET and parse the JSON."""
    raw = r.get(key)
    return {} if raw is None else {str(k): str(v) for k, v in json.loads(raw).items()}


def naive_set_field(r: Any, key: str, field: str, value: Any) -> None:
    """GET the JSON, change one field in the application, SET it all back: concurrent writers to
    *different* fields overwrite each other."""
    obj = naive_load(r, key)
    obj[field] = str(value)
    r.set(key, json.dumps(obj))


def naive_add_to_field(r: Any, key: str, field: str, by: int) -> int:
    """Read-modify-write of one field inside the JSON string."""
    obj = naive_load(r, key)
    new = int(obj.get(field, 0)) + by
    obj[field] = str(new)
    r.set(key, json.dumps(obj))
    return new
