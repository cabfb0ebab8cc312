"""Lock checks of fencing tokens: a stale writer is rejected, and fences past one digit still increase
(compared as numbers, not strings)."""

from __future__ import annotations

from typing import Any

from redisprep.drills._expiry import expire_now
from redisprep.drills.check_helpers import NO_KNOWN_PITFALL, UnusableResultError, Verdict, check, verdict
from redisprep.drills.context import DrillContext
from redisprep.drills.lock.keys import TTL_MS, lock_key


@check("lock.fencing", "fencing tokens reject a stale writer")
def fencing(ctx: DrillContext, impl: Any) -> Verdict:
    """A stalls past its TTL, B takes over and writes, A's late write must be refused."""
    lock = lock_key(ctx, "fenced")
    resource = ctx.key("lock", "storage")
    ctx.r.delete(resource, lock + ":fence")
    a = grant_of(impl.acquire_fenced(ctx.r, lock, TTL_MS))
    expire_now(ctx.r, lock)
    b = grant_of(impl.acquire_fenced(ctx.r, lock, TTL_MS))
    if a is None or b is None:
        return verdict(
            False, "A or B could not take a free lock", pitfall="acquire must succeed on a free lock"
        )
    accepted = []
    if impl.fenced_write(ctx.r, resource, b[1], "B's update"):
        accepted.append(b[1])
    if impl.fenced_write(ctx.r, resource, a[1], "A's stale update"):
        accepted.append(a[1])
    increasing = all(x < y for x, y in zip(accepted, accepted[1:], strict=False))
    stale = sum(1 for f in accepted if f < max(accepted, default=0))
    ok = b[1] > a[1] and accepted == [b[1]]
    message = f"fences A={a[1]}, B={b[1]}; storage accepted {accepted or 'nothing'}" + (
        "" if ok else f"; {stale} stale write accepted"
    )
    pitfall = (
        "no fencing: a holder that outlived its TTL writes after its successor and overwrites newer "
        "data; the storage must refuse fences lower than the highest it has seen"
        if b[1] > a[1]
        else "fencing numbers must grow with every grant (INCR in the acquire script)"
    )
    return verdict(
        ok, message, pitfall=pitfall, accepted=len(accepted), stale_accepted=stale, increasing=increasing
    )


def grant_of(value: Any) -> tuple[str, int] | None:
    """``acquire_fenced``'s (token, fence), or :class:`UnusableResultError`."""
    if value is None:
        return None
    try:
        token, fence = value
        return token, int(fence)
    except (TypeError, ValueError):
        raise UnusableResultError("acquire_fenced", value, "(token, fence) or None") from None


@check("lock.fence_numbers", "fences past one digit keep increasing and are compared as numbers")
def fence_numbers(ctx: DrillContext, impl: Any) -> Verdict:
    """Twelve grants in turn: fences 1..12 as ints; the storage takes 9, 10, 11 and refuses 10 again."""
    lock = lock_key(ctx, "fence-numbers")
    resource = ctx.key("lock", "fence-storage")
    ctx.r.delete(resource, lock + ":fence")
    fences = []
    for _ in range(12):
        grant = grant_of(impl.acquire_fenced(ctx.r, lock, TTL_MS))
        fences.append(None if grant is None else grant[1])
        expire_now(ctx.r, lock)
    writes = [bool(impl.fenced_write(ctx.r, resource, f, f"v{f}")) for f in (9, 10, 11, 10)]
    increasing = None not in fences and all(x < y for x, y in zip(fences, fences[1:], strict=False))  # type: ignore[operator]
    ok = increasing and writes == [True, True, True, False]
    if not increasing:
        pitfall = "fencing numbers must grow with every grant (INCR in the acquire script)"
    elif writes == [True, False, False, False] or writes[:2] == [True, False]:
        pitfall = "fences compared as text ('10' < '9'): convert with tonumber() in Lua or int() in Python"
    elif writes[3]:
        pitfall = "the storage must refuse a fence not above the highest it accepted (10 after 11)"
    else:
        pitfall = NO_KNOWN_PITFALL
    return verdict(
        ok,
        f"fences {fences}; the storage accepted {writes} for fences 9, 10, 11, 10 "
        "(want [True, True, True, False])",
        pitfall=pitfall,
    )
