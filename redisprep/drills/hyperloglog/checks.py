"""Checks of the hyperloglog drill; each runs against any implementation of the distinct-count interface."""

from __future__ import annotations

import random
from typing import Any

from redisprep.drills.check_helpers import Verdict, check, verdict
from redisprep.drills.context import DrillContext
from redisprep.drills.hyperloglog.reference import STANDARD_ERROR

USERS = 50_000
VISITS = 10_000
CHUNK = 2_000
WEEK_VISITS, WEEK_USERS = 4_000, 6_000
"""Visits per day, and the users they come from, in the union check."""
#: Three standard errors: a correct HyperLogLog stays inside this about 99.7% of the time.
ALLOWED_ERROR = 3 * STANDARD_ERROR


def visits(rng: random.Random, count: int = VISITS, users: int = USERS) -> list[str]:
    """``count`` page visits by seeded users out of ``users``; many visit more than once."""
    return [f"user:{rng.randrange(users)}" for _ in range(count)]


def day_visits(ctx: DrillContext) -> list[str]:
    """The count check's visits (the drill's counting step records the same ones)."""
    return visits(ctx.fork_rng("hll-count"))


def week_visits(ctx: DrillContext) -> list[list[str]]:
    """The union check's Monday, Tuesday and Wednesday (the drill's merging step uses the same)."""
    rng = ctx.fork_rng("hll-union")
    return [visits(rng, WEEK_VISITS, users=WEEK_USERS) for _ in range(3)]


def add_in_chunks(impl: Any, r: Any, key: str, items: list[str]) -> None:
    """Record ``items`` a chunk per call (one PFADD each)."""
    for start in range(0, len(items), CHUNK):
        impl.add_many(r, key, items[start : start + CHUNK])


def how_close(estimate: int, exact: int, simulated: bool) -> str:
    """The estimate's error in words, saying when the backend counts exactly."""
    error = (estimate - exact) / exact if exact else 0.0
    if simulated and estimate == exact:
        return (
            "exact: the embedded fakeredis keeps a real set; Redis would approximate (0.81% standard error)"
        )
    return f"off by {estimate - exact:+d} ({error:+.2%}), allowed ±{ALLOWED_ERROR:.2%}"


@check("hyperloglog.count", "the distinct count is within 3 standard errors")
def distinct_count(ctx: DrillContext, impl: Any) -> Verdict:
    """VISITS visits by up to USERS users: the estimate stays within ALLOWED_ERROR of the exact count."""
    key = ctx.key("hll", "check", "day")
    ctx.r.delete(key)
    data = day_visits(ctx)
    add_in_chunks(impl, ctx.r, key, data)
    exact = len(set(data))
    estimate = impl.count(ctx.r, [key])
    error = abs(estimate - exact) / exact
    return verdict(
        error <= ALLOWED_ERROR,
        f"estimate {estimate:,} for {exact:,} distinct users: "
        f"{how_close(estimate, exact, ctx.backend.is_simulated)}",
        pitfall="PFCOUNT is an estimate with 0.81% standard error; an error far beyond that means "
        "items were not all added, or were added in different forms",
        estimate=estimate,
        exact=exact,
        error=round(error, 5),
    )


@check("hyperloglog.union", "merged days count users once")
def union(ctx: DrillContext, impl: Any) -> Verdict:
    """Three days merged: users active on several days count once (PFCOUNT of keys, and PFMERGE)."""
    days = [ctx.key("hll", "{week-check}", d) for d in ("mon", "tue", "wed")]
    week = ctx.key("hll", "{week-check}", "week")
    per_day = week_visits(ctx)
    for key, data in zip(days, per_day, strict=True):
        ctx.r.delete(key)
        add_in_chunks(impl, ctx.r, key, data)
    exact = len(set().union(*per_day))
    on_the_fly = impl.count(ctx.r, days)
    impl.merge(ctx.r, week, days)
    merged = impl.count(ctx.r, [week])
    worst = max(abs(on_the_fly - exact), abs(merged - exact)) / exact
    return verdict(
        worst <= ALLOWED_ERROR and merged == on_the_fly,
        f"{exact:,} distinct users over 3 days; PFCOUNT of the days {on_the_fly:,}, of the merged "
        f"week {merged:,}",
        pitfall="adding the daily counts counts repeat visitors several times; merge the registers",
        exact=exact,
        merged=merged,
    )


CHECKS = (distinct_count, union)
