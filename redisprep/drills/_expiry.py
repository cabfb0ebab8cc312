"""Make keys' TTLs run out now, instead of sleeping for the whole TTL."""

from __future__ import annotations

import time
from typing import Any

POLL_S = 0.001
MAX_WAIT_S = 1.0


def expire_now(r: Any, *keys: str) -> None:
    """``PEXPIRE key 1`` each key, then wait the millisecond or two until the server treats them as gone.

    Stands in for "the holder stalled past its TTL" or "the entry's TTL ran out" in drills and
    checks. Redis expires a key on access once its time has passed, so this polls ``EXISTS`` (one
    key per command, so it also works across cluster slots).

    Args:
        r: A client (its commands are traced like any other).
        keys: The keys whose TTL should run out; missing keys are ignored.
    """
    pending = [key for key in keys if r.pexpire(key, 1)]
    deadline = time.monotonic() + MAX_WAIT_S
    while pending and time.monotonic() < deadline:
        time.sleep(POLL_S)
        pending = [key for key in pending if r.exists(key)]
