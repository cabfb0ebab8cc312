"""Checks of the sets drill; each runs against any implementation of the sets interface."""

from __future__ import annotations

import random
from typing import Any

from redisprep.drills.check_helpers import Verdict, check, verdict
from redisprep.drills.context import DrillContext

ACCOUNT_COUNT = 2_000
FOLLOWS, LIMIT = 400, 5
"""Accounts ana and ben each follow in the intersection check, and its SINTERCARD LIMIT."""


def follows(rng: random.Random, count: int) -> list[str]:
    """``count`` distinct account names drawn from ACCOUNT_COUNT."""
    return [f"acct:{i}" for i in rng.sample(range(ACCOUNT_COUNT), count)]


def follow_pair(ctx: DrillContext) -> tuple[list[str], list[str]]:
    """Whom ana and ben follow in the intersection check (the drill's algebra step uses the same)."""
    rng = ctx.fork_rng("intersections")
    return follows(rng, FOLLOWS), follows(rng, FOLLOWS)


@check("sets.unique_members", "adding a member twice keeps one copy")
def unique_members(ctx: DrillContext, impl: Any) -> Verdict:
    """Following the same account again (a retried request) must not count twice."""
    key = ctx.key("set", "following", "check")
    ctx.r.delete(key)
    impl.add(ctx.r, key, ["acct:1", "acct:2", "acct:3"])
    impl.add(ctx.r, key, ["acct:2", "acct:3"])  # a retry
    got = impl.size(ctx.r, key)
    return verdict(
        got == 3,
        f"size {got} after adding 3 accounts and retrying 2 of them (want 3)",
        pitfall="a list keeps duplicates, so a retried follow counts twice; a set stores each member once",
        size=got,
    )


@check("sets.membership", "membership answers match")
def membership(ctx: DrillContext, impl: Any) -> Verdict:
    """``contains`` answers for members and strangers in one call."""
    rng = ctx.fork_rng("membership")
    key = ctx.key("set", "following", "members")
    members = follows(rng, 300)
    impl.add(ctx.r, key, members)
    probe = members[:20] + [f"stranger:{i}" for i in range(20)]
    got = impl.contains(ctx.r, key, probe)
    want = [True] * 20 + [False] * 20
    wrong = sum(1 for g, w in zip(got, want, strict=True) if g != w)
    return verdict(
        wrong == 0,
        f"{len(probe) - wrong} of {len(probe)} membership answers right",
        pitfall="SMISMEMBER answers many members in one round trip",
        wrong=wrong,
    )


@check("sets.intersections", "intersections are exact")
def intersections(ctx: DrillContext, impl: Any) -> Verdict:
    """SINTER matches Python's intersection."""
    a, b = (ctx.key("set", "{follows-check}", who) for who in ("ana", "ben"))
    fa, fb = follow_pair(ctx)
    impl.add(ctx.r, a, fa)
    impl.add(ctx.r, b, fb)
    want = set(fa) & set(fb)
    got = impl.common(ctx.r, [a, b])
    return verdict(
        got == want,
        f"{len(got)} in common (want {len(want)})",
        pitfall="SINTER intersects in the server; a list used as a set keeps duplicates",
        common=len(got),
    )


@check("sets.intersection_counts", "intersection counts are exact (SINTERCARD)", feature="sintercard")
def intersection_counts(ctx: DrillContext, impl: Any) -> Verdict:
    """SINTERCARD counts the intersection, LIMIT caps it, a missing key gives 0 (Redis 7.0+)."""
    a, b = (ctx.key("set", "{count-check}", who) for who in ("ana", "ben"))
    missing = ctx.key("set", "{count-check}", "nobody")
    fa, fb = follow_pair(ctx)
    impl.add(ctx.r, a, fa)
    impl.add(ctx.r, b, fb)
    want = len(set(fa) & set(fb))
    counted = impl.common_count(ctx.r, [a, b])
    capped = impl.common_count(ctx.r, [a, b], limit=LIMIT)
    empty = impl.common_count(ctx.r, [missing, a])
    ok = counted == want and capped == min(LIMIT, want) and empty == 0
    return verdict(
        ok,
        f"SINTERCARD {counted} (want {want}), with LIMIT {LIMIT} {capped}, with a missing key {empty}",
        pitfall="SINTERCARD counts without sending members; LIMIT stops early; a missing key is an "
        "empty set, so the count is 0",
        common=counted,
        limited=capped,
        with_missing=empty,
    )


CHECKS = (unique_members, membership, intersections, intersection_counts)
