"""Lock check of a waiting acquire's deadline: it gives up once wait_ms (milliseconds) has passed."""

from __future__ import annotations

import time
from typing import Any

from redisprep.drills.check_helpers import NO_KNOWN_PITFALL, Verdict, check, verdict
from redisprep.drills.context import DrillContext
from redisprep.drills.lock.keys import TTL_MS, lock_key
from redisprep.drills.lock.units import ttl_pitfall

#: The holder's lease: longer than a wait_ms misread as seconds, so that mistake gives up first.
HELD_MS = 3_000
#: The wait: 1 ms, or 1 s when read as seconds.
SHORT_WAIT_MS = 1
#: Longest a correct wait of SHORT_WAIT_MS may take, sleeps and a slow machine included.
GIVE_UP_BY_S = 0.5

WAIT_IN_SECONDS = (
    "wait_ms taken as seconds (deadline = now + wait_ms): a waiting acquire gives up 1000 times too "
    "late; the deadline is now + wait_ms / 1000"
)
NO_DEADLINE = (
    "a waiting acquire kept trying past wait_ms until the holder's lease ran out: stop and return "
    "None at the deadline"
)


@check("lock.gives_up", "a waiting acquire gives up when wait_ms runs out")
def gives_up(ctx: DrillContext, impl: Any) -> Verdict:
    """The lock is held for 3 s; acquire(wait_ms=1) returns None within milliseconds, not after 1 s."""
    lock = lock_key(ctx, "gives-up")
    holder = impl.acquire(ctx.r, lock, HELD_MS)
    if holder is None:
        return verdict(False, "could not take a free lock", pitfall="acquire must succeed on a free lock")
    lease_unit = ttl_pitfall(int(ctx.r.pttl(lock)), HELD_MS)
    started = time.monotonic()
    waited = impl.acquire(ctx.r, lock, TTL_MS, wait_ms=SHORT_WAIT_MS)
    wait_s = time.monotonic() - started
    impl.release(ctx.r, lock, holder if waited is None else waited)
    ok = waited is None and wait_s < GIVE_UP_BY_S
    if ok:
        pitfall = None
    elif lease_unit is not None:
        pitfall = lease_unit  # the holder's lease was not the 3 s asked for
    elif waited is not None:
        pitfall = NO_DEADLINE if wait_s * 1000 >= HELD_MS * 0.8 else NO_KNOWN_PITFALL
    elif 0.8 <= wait_s / SHORT_WAIT_MS <= 1.5:  # SHORT_WAIT_MS read as seconds
        pitfall = WAIT_IN_SECONDS
    else:
        pitfall = NO_KNOWN_PITFALL
    return verdict(
        ok,
        f"while another holder's {HELD_MS} ms lease ran, acquire(wait_ms={SHORT_WAIT_MS}) returned "
        f"{'a token' if waited is not None else 'None'} after {wait_s:.3f} s "
        f"(want None within {GIVE_UP_BY_S} s)",
        pitfall=pitfall,
        waited_s=round(wait_s, 3),
    )
