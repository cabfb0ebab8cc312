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
        else NOT_GROWING
    )
    return verdict(
        ok, message, pitfall=pitfall, accepted=len(accepted), stale_accepted=stale, increasing=increasing
    )


FENCE_AS_TEXT = (
    "fence returned as text (a GET reply is a string): return it as a number, int(...), so that "
    "callers and the storage compare numbers"
)
NOT_GROWING = "fencing numbers must grow with every grant (INCR in the acquire script)"
RESET_BY_RELEASE = (
    "fences restart at 1 after a release: the storage then refuses every new holder; release must "
    "leave lock:fence alone (the counter outlives every lease)"
)


def grant_of(value: Any) -> tuple[str, int] | None:
    """``acquire_fenced``'s (token, fence) with a numeric fence, or :class:`UnusableResultError`."""
    if value is None:
        return None
    try:
        token, fence = value
        if isinstance(fence, (str, bytes)):
            raise UnusableResultError(
                "acquire_fenced", value, "(token, fence) with the fence a number", pitfall=FENCE_AS_TEXT
            )
        return token, int(fence)
    except (TypeError, ValueError):
        raise UnusableResultError("acquire_fenced", value, "(token, fence) or None") from None


#: The storage is offered these fences in turn (after 1..12 were granted): past one digit, the
#: same fence again, and a lower one.
OFFERED = (9, 10, 11, 11, 10)
WANT_ACCEPTED = [True, True, True, False, False]


def _restart_after_release(fences: list[int | None]) -> bool:
    """Every drop in ``fences`` is back to 1 right after a grant that was released (odd ones)."""
    if None in fences:
        return False
    drops = [i for i in range(1, len(fences)) if (fences[i] or 0) <= (fences[i - 1] or 0)]
    return bool(drops) and all(fences[i] == 1 and (i - 1) % 2 == 1 for i in drops)


@check("lock.fence_numbers", "fences past one digit keep increasing and are compared as numbers")
def fence_numbers(ctx: DrillContext, impl: Any) -> Verdict:
    """Twelve grants in turn, every other one released and the rest left to expire: fences 1..12 as
    numbers; the storage takes 9, 10, 11 and refuses 11 again and 10."""
    lock = lock_key(ctx, "fence-numbers")
    resource = ctx.key("lock", "fence-storage")
    ctx.r.delete(resource, lock + ":fence")
    fences: list[int | None] = []
    for i in range(12):
        grant = grant_of(impl.acquire_fenced(ctx.r, lock, TTL_MS))
        fences.append(None if grant is None else grant[1])
        if grant is not None and i % 2 == 1:
            impl.release(ctx.r, lock, grant[0])
        expire_now(ctx.r, lock)  # a no-op once released
    writes = [bool(impl.fenced_write(ctx.r, resource, f, f"v{f}")) for f in OFFERED]
    increasing = None not in fences and all(x < y for x, y in zip(fences, fences[1:], strict=False))  # type: ignore[operator]
    ok = increasing and writes == WANT_ACCEPTED
    if not increasing:
        pitfall = RESET_BY_RELEASE if _restart_after_release(fences) else NOT_GROWING
    elif writes[:2] == [True, False]:
        pitfall = "fences compared as text ('10' < '9'): convert with tonumber() in Lua or int() in Python"
    elif writes[4]:
        pitfall = "the storage must refuse a fence not above the highest it accepted (10 after 11)"
    elif writes[3]:
        pitfall = (
            "the storage accepted the same fence twice (11 after 11): refuse a fence equal to the "
            "highest accepted too (compare with >, not >=)"
        )
    else:
        pitfall = NO_KNOWN_PITFALL
    return verdict(
        ok,
        f"fences {fences} (every other grant released); the storage accepted {writes} for fences "
        f"{', '.join(map(str, OFFERED))} (want {WANT_ACCEPTED})",
        pitfall=pitfall,
    )
