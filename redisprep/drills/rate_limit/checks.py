"""Checks of the rate-limit drill; each runs against any implementation of the rate-limit interface."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from redisprep.drills.calls import call_each
from redisprep.drills.check_helpers import (
    NO_KNOWN_PITFALL,
    Verdict,
    check,
    in_lockstep,
    round_trips_of,
    verdict,
)
from redisprep.drills.context import DrillContext
from redisprep.drills.rate_limit import formulas

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


BURST = [EPOCH_MS + 59_000 + 90 * i for i in range(10)] + [EPOCH_MS + 60_000 + 90 * i for i in range(10)]
"""Ten requests at 59.00-59.81 s and ten at 60.00-60.81 s."""


def boundary_burst(ctx: DrillContext, limiter: Limiter, label: str) -> tuple[int, int]:
    """:data:`BURST` on a fresh limiter; returns admitted before and after 60 s."""
    got = burst_decisions(ctx, limiter, label)
    return sum(got[:10]), sum(got[10:])


def burst_decisions(ctx: DrillContext, limiter: Limiter, label: str) -> list[bool]:
    """Each request of :data:`BURST`, admitted or not."""
    key = limiter_key(ctx, label)
    return [bool(limiter(ctx.r, key, LIMIT, WINDOW_MS, t)) for t in BURST]


def decisions(ctx: DrillContext, impl: Any, name: str, key: str, times: list[int]) -> list[bool]:
    """``impl.<name>`` asked once per time in ``times`` on one limiter key: admitted or not."""
    return [bool(ok) for ok in call_each(impl, name, [(ctx.r, key, LIMIT, WINDOW_MS, t) for t in times])]


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


#: After two windows of silence, a second burst: the full allowance is back, and no more.
AFTER_IDLE = LIMIT + 2
IDLE_BANKED = (
    "idle time must not buy more than the limit: cap the bucket at `limit` tokens (min(limit, tokens "
    "+ elapsed * rate)), or start GCRA's new TAT from max(tat, now)"
)


@check("rate-limit.within_limit", "each limiter admits the limit in a window, then recovers")
def within_limit(ctx: DrillContext, impl: Any) -> Verdict:
    """LIMIT + 5 requests within 1.4 s admit exactly LIMIT; after two windows of silence, a burst of
    LIMIT + 2 admits LIMIT again (no fewer: it recovered; no more: silence is not banked)."""
    admitted: dict[str, int] = {}
    again: dict[str, int] = {}
    first = [EPOCH_MS + 100 * i for i in range(LIMIT + 5)]
    times = first + [EPOCH_MS + 2 * WINDOW_MS + 100 * i for i in range(AFTER_IDLE)]
    known = []
    for name in ALGORITHMS:
        got = decisions(ctx, impl, name, limiter_key(ctx, f"within-{name}"), times)
        admitted[name], again[name] = sum(got[: len(first)]), sum(got[len(first) :])
        if admitted[name] != LIMIT or again[name] != LIMIT:
            # 27 decisions: one admit moved is another mistake (a limiter that never recovers is
            # not GCRA's short tolerance), not rounding.
            known.append(formulas.candidates(name, LIMIT, WINDOW_MS, times, got, exact=True))
    idle_s = 2 * WINDOW_MS // 1000
    wrong = [f"{n} admitted {a} (want {LIMIT})" for n, a in admitted.items() if a != LIMIT]
    wrong += [f"{n} still denies after {idle_s} s" for n, a in again.items() if not a]
    # After a first burst gone wrong, the second says nothing new.
    fine_first = [n for n, a in admitted.items() if a == LIMIT]
    banked = [n for n in fine_first if again[n] > LIMIT]
    wrong += [
        f"{n} admitted {again[n]} of {AFTER_IDLE} after {idle_s} s of silence (want {LIMIT})"
        for n in fine_first
        if again[n] and again[n] != LIMIT
    ]
    if not known:
        pitfall = None
    elif formulas.common(known):
        pitfall = formulas.common(known)
    elif banked and len(wrong) == len(banked):
        pitfall = IDLE_BANKED
    elif any(not a for a in again.values()) or any(a > LIMIT for a in admitted.values()):
        pitfall = (
            "count before admitting, and let old state go (expiry, trimming or refill), or a client is "
            "over-admitted or locked out for good"
        )
    else:
        pitfall = NO_KNOWN_PITFALL
    return verdict(
        not wrong,
        f"every limiter admitted {LIMIT} of {LIMIT + 5} requests in 1.4 s, and {LIMIT} of "
        f"{AFTER_IDLE} again {idle_s} s later"
        if not wrong
        else "; ".join(wrong),
        pitfall=pitfall,
        **admitted,
    )


STEADY_EVERY_MS = 3_000
STEADY_REQUESTS = 80
"""One request every 3 s for 4 minutes: twice the allowed rate (10 per 60 s), after the burst."""


def _worst_window(times: list[int], got: list[bool]) -> int:
    """The most requests admitted in any window of WINDOW_MS ending at a request."""
    admitted = [t for t, ok in zip(times, got, strict=True) if ok]
    return max((sum(1 for a in admitted if t - WINDOW_MS < a <= t) for t in times), default=0)


def _steady_fault(name: str, times: list[int], got: list[bool]) -> str | None:
    """What is wrong with ``got`` for algorithm ``name`` under steady traffic, or None."""
    total, worst = sum(got), _worst_window(times, got)
    fair = LIMIT * (len(times) * STEADY_EVERY_MS) // WINDOW_MS
    if name == "fixed_window":
        per: dict[int, int] = {}
        for t, ok in zip(times, got, strict=True):
            per[t // WINDOW_MS] = per.get(t // WINDOW_MS, 0) + ok
        low, high, worst_ok = fair - LIMIT, fair, max(per.values()) <= LIMIT
    elif name == "sliding_log":
        low, high, worst_ok = fair - 1, fair, worst <= LIMIT
    elif name == "sliding_counter":
        low, high, worst_ok = fair * 9 // 10, fair, worst <= LIMIT
    else:  # token_bucket, gcra: the first burst of LIMIT, then the refill rate
        low, high, worst_ok = fair + LIMIT // 2, fair + LIMIT, worst <= 2 * LIMIT
    if low <= total <= high and worst_ok:
        return None
    return (
        f"{name} admitted {total} (want {low}..{high}), at most {worst} in one {WINDOW_MS // 1000} s window"
    )


@check("rate-limit.steady", "steady traffic at twice the rate for 4 minutes keeps to the rate")
def steady(ctx: DrillContext, impl: Any) -> Verdict:
    """A client that drained its allowance keeps sending every 3 s for 4 minutes on the injected clock."""
    times = [EPOCH_MS + 500 + STEADY_EVERY_MS * i for i in range(STEADY_REQUESTS)]
    faults, known, totals = [], [], {}
    for name in ALGORITHMS:
        key = limiter_key(ctx, f"steady-{name}")
        with ctx.tracer.paused():  # 600 decisions; their cost is measured elsewhere
            got = decisions(ctx, impl, name, key, times)
        totals[name] = sum(got)
        fault = _steady_fault(name, times, got)
        if fault is not None:
            faults.append(fault)
            known.append(formulas.candidates(name, LIMIT, WINDOW_MS, times, got))
    return verdict(
        not faults,
        f"{STEADY_REQUESTS} requests over {STEADY_REQUESTS * STEADY_EVERY_MS // 60_000} minutes: "
        + ", ".join(f"{n} {a}" for n, a in totals.items())
        + " admitted"
        if not faults
        else "; ".join(faults),
        pitfall=formulas.common(known) or NO_KNOWN_PITFALL,
        **totals,
    )


@check("rate-limit.boundary", "no burst of twice the limit around a window boundary")
def boundary(ctx: DrillContext, impl: Any) -> Verdict:
    """The sliding limiters admit at most LIMIT of 20 requests sent within 1.81 s across 60 s."""
    made = {name: decisions(ctx, impl, name, limiter_key(ctx, f"edge-{name}"), BURST) for name in SLIDING}
    totals = {name: sum(got) for name, got in made.items()}
    over = {name: n for name, n in totals.items() if n > LIMIT}
    known = formulas.common([formulas.candidates(n, LIMIT, WINDOW_MS, BURST, made[n]) for n in over])
    return verdict(
        not over,
        f"{', '.join(f'{n} {a}' for n, a in totals.items())} of 20 requests in 1.81 s (limit {LIMIT})"
        if not over
        else ", ".join(
            f"{n} admitted {a} in 1.81 s (limit {LIMIT} per {WINDOW_MS // 1000} s)" for n, a in over.items()
        ),
        pitfall=known or NO_KNOWN_PITFALL,
        **totals,
    )


MEMBERS_COLLIDE = (
    "sorted-set members collide: requests in the same millisecond ZADD the same member, which only "
    "updates it, so the log never grows past one entry per instant; make each member unique (now "
    "plus a counter or a random suffix)"
)


def _logged(ctx: DrillContext, label: str) -> int:
    """The most members any sorted set of the limiters labelled ``label`` holds."""
    sizes = [
        int(ctx.r.zcard(k))
        for k in ctx.scan_keys(ctx.key("rl", "{" + label + "-*"))
        if ctx.r.type(k) == "zset"
    ]
    return max(sizes, default=0)


@check("rate-limit.concurrent", f"{CLIENTS} concurrent clients admitted exactly the limit")
def concurrent(ctx: DrillContext, impl: Any) -> Verdict:
    """CLIENTS clients send 2 requests each to every limiter in lockstep: exactly LIMIT get in."""
    admitted = concurrent_admissions(ctx, impl, ALGORITHMS)
    over = {name: n for name, n in admitted.items() if n != LIMIT}
    sent = CLIENTS * REQUESTS_PER_CLIENT
    # All requests share one instant: a log that admitted more than it holds overwrote members (a
    # limiter that keeps no sorted set has no members to collide).
    collided = set(over) == {"sliding_log"} and 0 < _logged(ctx, "race-sliding_log") < over["sliding_log"]
    return verdict(
        not over,
        f"every limiter admitted exactly {LIMIT} of {sent} concurrent requests"
        if not over
        else ", ".join(f"{n} admitted {a} of {sent} (limit {LIMIT})" for n, a in over.items()),
        pitfall=MEMBERS_COLLIDE
        if collided
        else READ_THEN_INCREMENT
        if all(a > LIMIT for a in over.values())
        else "fewer than the limit admitted, with or without concurrency: see rate-limit.within_limit"
        if all(a < LIMIT for a in over.values())
        else NO_KNOWN_PITFALL,
        **admitted,
    )


#: The decisions the keys check makes: both sides of a boundary, so the counter's two windows exist.
KEY_OFFSETS = (59_500, 60_500)
#: How long (ms) each limiter's state still matters after the second decision of the keys check, so
#: that a key expiring sooner forgets admissions: the fixed window's counter until its window ends;
#: the log's newest entry for a window; the sliding counter's window until the end of the next one
#: (it is read there as the previous window); a bucket or a TAT until the 1.83 tokens spent (one
#: request at 59.5 s, one at 60.5 s, 1 s of refill at 10 per 60 s) are back: 1.83 x 6 s.
STATE_MATTERS_MS = {
    "fixed_window": 2 * WINDOW_MS - KEY_OFFSETS[1],
    "sliding_log": WINDOW_MS,
    "sliding_counter": 3 * WINDOW_MS - KEY_OFFSETS[1],
    "token_bucket": 11_000,
    "gcra": 11_000,
}
#: PTTL is read a little after the decision, in real time (and the bucket's figure is rounded).
STATE_SLACK_MS = 1_000


@check("rate-limit.keys", "one slot per limiter, and every key expires")
def keys(ctx: DrillContext, impl: Any) -> Verdict:
    """All keys a limiter writes start with its (hash-tagged) key, share its slot and have a TTL; the
    longest-lived of them outlives the limiter's state (:data:`STATE_MATTERS_MS`)."""
    from redis.crc import key_slot

    problems = []
    kinds = set()
    for name in ALGORITHMS:
        fn = getattr(impl, name)
        key = limiter_key(ctx, f"keys-{name}")
        for offset in KEY_OFFSETS:
            fn(ctx.r, key, LIMIT, WINDOW_MS, EPOCH_MS + offset)
        written = ctx.scan_keys(key + "*")
        slots = {key_slot(k.encode()) for k in written}
        ttls = [int(ctx.r.pttl(k)) for k in written]
        if not written:
            problems.append(f"{name} wrote no key starting with its limiter key")
            kinds.add("prefix")
        if len(slots) > 1:
            problems.append(f"{name} keys span {len(slots)} slots (want 1)")
            kinds.add("slots")
        if any(t < 0 for t in ttls):
            problems.append(
                f"{name} has a key without expiry (PTTL {min(ttls)}; want 0 < PTTL <= {2 * WINDOW_MS})"
            )
            kinds.add("expiry")
        elif any(t > 2 * WINDOW_MS for t in ttls):
            problems.append(f"{name} has a key with PTTL {max(ttls)} (want 0 < PTTL <= {2 * WINDOW_MS})")
            kinds.add("long")
        elif ttls and max(ttls) < STATE_MATTERS_MS[name] - STATE_SLACK_MS:
            problems.append(
                f"{name}'s keys expire within {max(ttls)} ms, while its state matters for "
                f"{STATE_MATTERS_MS[name]} ms more"
            )
            kinds.add(f"short-{name}")
    return verdict(
        not problems,
        "every limiter's keys share one slot and expire within two windows, not before their state "
        "stops mattering"
        if not problems
        else "; ".join(problems),
        pitfall=KEY_PITFALLS[kinds.pop()] if len(kinds) == 1 else NO_KNOWN_PITFALL,
    )


KEY_PITFALLS = {
    "slots": "keys without a shared hash tag fail with CROSSSLOT in a cluster: every key must start "
    "with the limiter key (its {tag})",
    "expiry": "keys without an expiry pile up (or, for a counter, lock the client out for good): "
    "PEXPIRE in the same script",
    "long": "EXPIRE given milliseconds: the key lives 1000 times too long; PEXPIRE takes window_ms",
    "prefix": "every key a limiter writes must start with the limiter key it was given (its {hash "
    "tag}); keys outside it land in other slots and fail with CROSSSLOT in a cluster",
    **{
        f"short-{name}": "a key that expires while its state still matters forgets admissions and "
        f"lets the client back in early: {why}"
        for name, why in {
            "fixed_window": "a window's counter must live until its window ends",
            "sliding_log": "the log's newest entry counts for a whole window",
            "sliding_counter": "a window's counter is read as the previous window during the next "
            "one, so it must live two windows",
            "token_bucket": "expiring the bucket before it would be full again resets it to full",
            "gcra": "the TAT must live until it is back to now (PX new_tat - now)",
        }.items()
    },
}


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


CHECKS = (within_limit, boundary, steady, concurrent, keys, one_round_trip)
