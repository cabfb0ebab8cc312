"""What a lock's PTTL says about the unit its lease was set in (ms, s, or no expiry at all)."""

from __future__ import annotations

NO_EXPIRY = (
    "lock without expiry (SETNX, or SETNX then EXPIRE in two steps): a holder that crashes keeps "
    "it forever; use SET key token NX PX ttl"
)
EX_WITH_MS = (
    "ttl_ms passed to EX (seconds): the lock lives 1000 times too long; SET ... PX ttl_ms takes milliseconds"
)
PX_WITH_S = (
    "ttl_ms divided by 1000 and passed to PX: the lock lives 1000 times too short; PX takes the "
    "milliseconds as they are"
)


def ttl_pitfall(pttl: int, ttl_ms: int) -> str | None:
    """The unit mistake a PTTL shows, or None when it is about ``ttl_ms``.

    -2 (the key is gone right after an acquire that returned a token) is a lease so short it ran
    out before the next round trip, and 0 (Redis's PTTL of a key in its last millisecond) one about
    to; -1 is a key with no expiry at all.
    """
    if pttl == -1:
        return NO_EXPIRY
    if pttl > ttl_ms * 2:
        return EX_WITH_MS
    if pttl <= ttl_ms // 100:
        return PX_WITH_S
    return None
