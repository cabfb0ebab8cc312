"""Writes that know whether a replica has them: the reference of the replication drill, and its naive variant.

Interface (what a practice solution implements; ``r`` is a ``redis.Redis`` client on a primary):

- ``write(r, key, value) -> bool``: store ``value`` at ``key`` and return True only when the write
  is known to be on at least one replica as well, in one round trip. A write that returns False may
  still have been applied on the primary (Redis never rolls it back); the caller must treat it as
  not yet durable: retry it, or report it as uncertain.
"""

from __future__ import annotations

from typing import Any

WAIT_REPLICAS = 1
"""Replicas that must have acknowledged the write."""
WAIT_TIMEOUT_MS = 50
"""How long ``WAIT`` blocks for them at most; a timeout is not an error, it returns fewer replicas."""


def write(r: Any, key: str, value: str) -> bool:
    """SET then ``WAIT 1 50`` in one pipeline: True when a replica acknowledged everything up to the SET.

    ``WAIT`` blocks this client (not the server) until that many replicas acknowledged the
    connection's writes so far, or the timeout passes, and replies how many did.
    """
    pipe = r.pipeline(transaction=False)
    pipe.set(key, value)
    pipe.wait(WAIT_REPLICAS, WAIT_TIMEOUT_MS)
    ok, replicas = pipe.execute()
    return bool(ok) and int(replicas) >= WAIT_REPLICAS


def naive_write(r: Any, key: str, value: str) -> bool:
    """SET and trust its OK: the primary has it, but replication is asynchronous, so a replica may not."""
    return bool(r.set(key, value))
