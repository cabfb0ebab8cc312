"""The lock checks' key and lease: one fresh lock key per check, hash-tagged to one slot."""

from __future__ import annotations

from redisprep.drills.context import DrillContext

#: The lease the checks ask for, unless a check needs another.
TTL_MS = 10_000


def lock_key(ctx: DrillContext, name: str) -> str:
    """The run's lock key for ``name``, deleted first."""
    key = ctx.key("lock", "{" + name + "}")
    ctx.r.delete(key)
    return key
