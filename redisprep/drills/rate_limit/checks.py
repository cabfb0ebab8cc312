"""Checks of the rate-limit drill; each runs against any implementation of the rate-limit interface."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from redisprep.drills._checks import Verdict, check, in_lockstep, round_trips_of, verdict
from redisprep.drills.context import DrillContext

LIMIT = 10
WINDOW_MS = 60_000
#: The injected clock starts here: a realistic Unix time in ms, on a window boundary.
EPOCH_MS = 1_700_000_040_000
CLIENTS = 16
REQUESTS_PER_CLIENT = 2
ALGORITHMS = ("fixed_window", "sliding_log", "sliding_counter", "token_bucket", "gcra")
#: The algorithms whose contract holds in every sliding window, not only in aligned ones.
SLIDING = ("sliding_log", "sliding_counter", "token_bucket", "gcra")

Limiter = Callable[[Any, str, int, int, int], bool]

READ_THEN_INCREMENT = (
    "read then increment (GET, compare in the app, INCR) is check-then-act: every client that reads "
    "before the others write sees room and gets in; INCR first and compare its result, or decide in "
    "one Lua script"
)


def limiter_key(ctx: DrillContext, label: str) -> str:
    """A fresh limiter key with its own hash tag, so all keys of one limiter share a cluster slot.

    A seeded suffix keeps two runs of one check (naive, then reference) from sharing state.
    """
    return ctx.key("rl", "{" + f"{label}-{ctx.rng.randrange(16**6):06x}" + "}")


def boundary_burst(ctx: DrillContext, limiter: Limiter, label: str) -> tuple[int, int]:
    """Ten requests at 59.00-59.81 s and ten at 60.00-60.81 s; returns admitted before and after 60 s."""
    key = limiter_key(ctx, label)
    before = sum(limiter(ctx.r, key, LIMIT, WINDOW_MS, EPOCH_MS + 59_000 + 90 * i) for i in range(10))
    after = sum(limiter(ctx.r, key, LIMIT, WINDOW_MS, EPOCH_MS + 60_000 + 90 * i) for i in range(10))
    return int(before), int(after)


def concurrent_admissions(ctx: DrillContext, impl: Any, names: tuple[str, ...]) -> dict[str, int]:
    """CLIENTS clients in lockstep, each sending REQUESTS_PER_CLIENT to every limiter in ``names``."""
    keys = {name: limiter_key(ctx, f"race-{name}") for name in names}
    now = EPOCH_MS + 1_000

    def client(_i: int, r: Any) -> dict[str, int]:
        admitted = dict.fromkeys(names, 0)
        for name in names:
            for _ in range(REQUESTS_PER_CLIENT):
                admitted[name] += bool(getattr(impl, name)(r, keys[name], LIMIT, WINDOW_MS, now))
        return admitted

    per_client = in_lockstep(ctx, CLIENTS, client)
    return {name: sum(c[name] for c in per_client) for name in names}


@check("rate-limit.within_limit", "each limiter admits the limit in a window, then recovers")
def within_limit(ctx: DrillContext, impl: Any) -> Verdict:
    """LIMIT + 5 requests within 1.4 s admit exactly LIMIT; after two windows of silence, one more."""
    admitted: dict[str, int] = {}
    recovered: dict[str, bool] = {}
    for name in ALGORITHMS:
        fn = getattr(impl, name)
        key = limiter_key(ctx, f"within-{name}")
        admitted[name] = sum(
            bool(fn(ctx.r, key, LIMIT, WINDOW_MS, EPOCH_MS + 100 * i)) for i in range(LIMIT + 5)
        )
        recovered[name] = bool(fn(ctx.r, key, LIMIT, WINDOW_MS, EPOCH_MS + 2 * WINDOW_MS))
    wrong = [f"{n} admitted {a}" for n, a in admitted.items() if a != LIMIT]
    wrong += [f"{n} still denies after {2 * WINDOW_MS // 1000} s" for n, ok in recovered.items() if not ok]
    return verdict(
        not wrong,
        f"every limiter admitted {LIMIT} of {LIMIT + 5} requests in 1.4 s and admitted again later"
        if not wrong
        else "; ".join(wrong),
        pitfall="count before admitting, and let old state go (expiry, trimming or refill), or a "
        "client is over-admitted or locked out for good",
        **admitted,
    )


@check("rate-limit.boundary", "no burst of twice the limit around a window boundary")
def boundary(ctx: DrillContext, impl: Any) -> Verdict:
    """The sliding limiters admit at most LIMIT of 20 requests sent within 1.81 s across 60 s."""
    totals = {name: sum(boundary_burst(ctx, getattr(impl, name), f"edge-{name}")) for name in SLIDING}
    over = {name: n for name, n in totals.items() if n > LIMIT}
    return verdict(
        not over,
        f"{', '.join(f'{n} {a}' for n, a in totals.items())} of 20 requests in 1.81 s (limit {LIMIT})"
        if not over
        else ", ".join(
            f"{n} admitted {a} in 1.81 s (limit {LIMIT} per {WINDOW_MS // 1000} s)" for n, a in over.items()
        ),
        pitfall="fixed window: a burst at the end of one window and another at the start of the next "
        "get twice the limit through within seconds; use a sliding log, a sliding window counter, a "
        "token bucket or GCRA",
        **totals,
    )


@check("rate-limit.concurrent", f"{CLIENTS} concurrent clients admitted exactly the limit")
def concurrent(ctx: DrillContext, impl: Any) -> Verdict:
    """CLIENTS clients send 2 requests each to every limiter in lockstep: exactly LIMIT get in."""
    admitted = concurrent_admissions(ctx, impl, ALGORITHMS)
    over = {name: n for name, n in admitted.items() if n != LIMIT}
    sent = CLIENTS * REQUESTS_PER_CLIENT
    return verdict(
        not over,
        f"every limiter admitted exactly {LIMIT} of {sent} concurrent requests"
        if not over
        else ", ".join(f"{n} admitted {a} of {sent} (limit {LIMIT})" for n, a in over.items()),
        pitfall=READ_THEN_INCREMENT,
        **admitted,
    )


@check("rate-limit.keys", "one slot per limiter, and every key expires")
def keys(ctx: DrillContext, impl: Any) -> Verdict:
    """All keys a limiter writes start with its (hash-tagged) key, share its slot and have a TTL."""
    from redis.crc import key_slot

    problems = []
    for name in ALGORITHMS:
        fn = getattr(impl, name)
        key = limiter_key(ctx, f"keys-{name}")
        for offset in (59_500, 60_500):  # both sides of a boundary: the counter's two windows exist
            fn(ctx.r, key, LIMIT, WINDOW_MS, EPOCH_MS + offset)
        written = ctx.scan_keys(key + "*")
        slots = {key_slot(k.encode()) for k in written}
        ttls = [int(ctx.r.pttl(k)) for k in written]
        if not written:
            problems.append(f"{name} wrote no key starting with its limiter key")
        if len(slots) > 1:
            problems.append(f"{name} keys span {len(slots)} slots")
        if any(not 0 < t <= 2 * WINDOW_MS for t in ttls):
            problems.append(f"{name} has a key with PTTL {min(ttls)} (want 0 < PTTL <= {2 * WINDOW_MS})")
    return verdict(
        not problems,
        "every limiter's keys share one slot and expire within two windows"
        if not problems
        else "; ".join(problems),
        pitfall="keys without a shared hash tag fail with CROSSSLOT in a cluster; keys without an "
        "expiry pile up (or, for a counter, lock the client out for good)",
    )


@check("rate-limit.one_round_trip", "one round trip per decision")
def one_round_trip(ctx: DrillContext, impl: Any) -> Verdict:
    """Admit-or-deny is one round trip: one script or one MULTI/EXEC."""
    trips = {}
    for name in ALGORITHMS:
        key = limiter_key(ctx, f"trips-{name}")
        fn = getattr(impl, name)
        call = functools.partial(fn, ctx.r, key, LIMIT, WINDOW_MS, EPOCH_MS)
        trips[name] = round_trips_of(ctx, f"check:{name}", call)[1]
    heavy = {n: t for n, t in trips.items() if t != 1}
    return verdict(
        not heavy,
        "every decision took 1 round trip"
        if not heavy
        else ", ".join(f"{n} took {t} round trips" for n, t in heavy.items()),
        pitfall="a decision spread over several round trips is slower and, unless it is one script "
        "or one MULTI/EXEC, racy: " + READ_THEN_INCREMENT,
        **{f"trips_{n}": t for n, t in trips.items()},
    )


CHECKS = (within_limit, boundary, concurrent, keys, one_round_trip)
