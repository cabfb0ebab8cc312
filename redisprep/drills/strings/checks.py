"""Checks of the strings drill; each runs against any implementation of the strings interface."""

from __future__ import annotations

from typing import Any

from redisprep.drills.check_helpers import Verdict, check, in_lockstep, verdict
from redisprep.drills.context import DrillContext

WORKERS = 8
ROUNDS = 25
TTL_S = 30
USERS = 10_000
DAY_VISITS = 600
"""Visits per day in the bitmap check, by users drawn from USERS."""


def two_days(ctx: DrillContext) -> list[list[int]]:
    """Monday's and Tuesday's visits in the bitmap check (the drill's bitmap step uses the same)."""
    rng = ctx.fork_rng("bitmap-check")
    return [[rng.randrange(USERS) for _ in range(DAY_VISITS)] for _ in range(2)]


@check("strings.concurrent_count", "concurrent increments are all counted")
def concurrent_count(ctx: DrillContext, impl: Any) -> Verdict:
    """8 writers add 1 ROUNDS times each to one counter, in lockstep; nothing may be lost."""
    key = ctx.key("str", "views")
    ctx.r.delete(key)

    def writer(_i: int, client: Any) -> None:
        for _ in range(ROUNDS):
            impl.count(client, key, 1)

    in_lockstep(ctx, WORKERS, writer)
    final = int(ctx.r.get(key) or 0)
    want = WORKERS * ROUNDS
    return verdict(
        final == want,
        f"counter at {final} of {want} ({WORKERS} writers x {ROUNDS}); {want - final} lost",
        pitfall="GET, add in the application, SET loses concurrent increments; use INCR/INCRBY",
        final=final,
        expected=want,
        lost=want - final,
    )


@check("strings.claim_once", "exactly one caller claims a key, and it expires")
def claim_once(ctx: DrillContext, impl: Any) -> Verdict:
    """8 callers claim one key at the same moment: one wins, and the key carries its TTL."""
    key = ctx.key("str", "claim", "order-1001")
    ctx.r.delete(key)
    wins = in_lockstep(ctx, WORKERS, lambda i, client: impl.claim(client, key, f"worker-{i}", TTL_S))
    winners = sum(1 for w in wins if w)
    ttl = int(ctx.r.ttl(key))
    ok = winners == 1 and 0 < ttl <= TTL_S
    return verdict(
        ok,
        f"{winners} of {WORKERS} callers claimed the key; its TTL is {ttl} s",
        pitfall="GET then SET (check-then-act) lets every caller that read before the first write "
        "win; SET NX EX decides in one command and sets the expiry with it",
        winners=winners,
        ttl=ttl,
    )


@check("strings.bitmap_counts", "bitmap counts match the distinct users")
def bitmap_counts(ctx: DrillContext, impl: Any) -> Verdict:
    """Repeated visits count once; the AND of two days counts users active on both."""
    days = [ctx.key("str", "{dau-check}", d) for d in ("mon", "tue")]
    dest = ctx.key("str", "{dau-check}", "both")
    visits = two_days(ctx)
    for day, ids in zip(days, visits, strict=True):
        for uid in ids:
            impl.mark_active(ctx.r, day, uid)
    want = [len(set(ids)) for ids in visits]
    got = [impl.active_count(ctx.r, day) for day in days]
    both_want = len(set(visits[0]) & set(visits[1]))
    both_got = impl.active_on_all(ctx.r, dest, days)
    ok = got == want and both_got == both_want
    return verdict(
        ok,
        f"distinct users {got[0]} and {got[1]} (want {want[0]} and {want[1]}); on both days "
        f"{both_got} (want {both_want})",
        pitfall="count set bits with BITCOUNT, and intersect days with BITOP AND",
        distinct_mon=got[0],
        distinct_tue=got[1],
        both=both_got,
    )


CHECKS = (concurrent_count, claim_once, bitmap_counts)
