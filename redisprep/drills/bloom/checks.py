"""Checks of the bloom drill; each runs against any implementation of the Bloom filter interface."""

from __future__ import annotations

import math
import random
from typing import Any

from redisprep.drills.check_helpers import Verdict, check, verdict
from redisprep.drills.context import DrillContext

CAPACITY = 1_000
ERROR_RATE = 0.01
PROBES = 2_000  # never-added items queried to measure the false-positive rate
SMALL = 200  # items for the false-negative check (the property does not depend on size)


def usernames(rng: random.Random, count: int, prefix: str) -> list[str]:
    """``count`` distinct, seeded, made-up usernames; ``prefix`` keeps added and probe sets disjoint."""
    return [f"{prefix}{n:x}" for n in rng.sample(range(16**8), count)]


def fp_data(ctx: DrillContext) -> tuple[str, list[str], list[str]]:
    """The false-positive check's key, the items it adds and the never-added items it probes."""
    rng = ctx.fork_rng("bloom-fp")
    return (
        ctx.key("bloom", "check", "fp"),
        usernames(rng, CAPACITY, "user-"),
        usernames(rng, PROBES, "probe-"),
    )


def tolerance(rate: float, probes: int) -> float:
    """Three standard deviations of a rate measured over ``probes`` independent trials."""
    return 3 * math.sqrt(rate * (1 - rate) / probes)


@check("bloom.no_false_negatives", "every added item is reported present")
def no_false_negatives(ctx: DrillContext, impl: Any) -> Verdict:
    """A Bloom filter may say "maybe" wrongly, but never "no" for an item it holds."""
    key = ctx.key("bloom", "check", "fn")
    ctx.r.delete(key)
    spec = impl.sizing(CAPACITY, ERROR_RATE)
    added = usernames(ctx.fork_rng("bloom-fn"), SMALL, "user-")
    impl.add_many(ctx.r, key, spec, added)
    missed = sum(1 for hit in impl.might_contain_many(ctx.r, key, spec, added) if not hit)
    return verdict(
        missed == 0,
        f"{SMALL - missed} of {SMALL} added items found; {missed} false negatives",
        pitfall="a filter must set and test the same k positions for an item; a false negative means "
        "the positions differ between add and query",
        false_negatives=missed,
    )


@check("bloom.false_positive_rate", "false positives stay near the rate the filter was sized for")
def false_positive_rate(ctx: DrillContext, impl: Any) -> Verdict:
    """Fill to CAPACITY, probe PROBES never-added items, compare with ERROR_RATE (3 sigma)."""
    key, added, probes = fp_data(ctx)
    ctx.r.delete(key)
    spec = impl.sizing(CAPACITY, ERROR_RATE)
    impl.add_many(ctx.r, key, spec, added)
    hits = sum(impl.might_contain_many(ctx.r, key, spec, probes))
    rate = hits / PROBES
    bound = ERROR_RATE + tolerance(ERROR_RATE, PROBES)
    return verdict(
        rate <= bound,
        f"{hits} of {PROBES} never-added items reported present: {rate:.2%} "
        f"(sized for {ERROR_RATE:.0%}, allowed up to {bound:.2%})",
        pitfall="too few hash functions (or too few bits per item): size with m = -n ln p / (ln 2)^2 "
        "and k = (m/n) ln 2, and never fill past the capacity it was sized for",
        false_positives=hits,
        measured_fp=round(rate, 5),
        bits=spec.bits,
        hashes=spec.hashes,
    )


CHECKS = (no_false_negatives, false_positive_rate)
