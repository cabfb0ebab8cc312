"""Ask early_get/early_set questions whose XFetch answers are known; name the mistake a wrong answer shows."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from redisprep.drills.check_helpers import NO_KNOWN_PITFALL
from redisprep.drills.context import DrillContext

T0 = 1000.0
"""The clock when the probe stores its values (not 0, so an expiry of ttl_s alone shows)."""
TTL_S = 600.0
DELTA_S = 1.0
BETA = 1.0
U_GAP_2S = math.exp(-2.0)
"""With this u, XFetch's gap delta * beta * -ln(u) is exactly 2 s: refresh from 2 s before expiry."""
U_GAP_QUARTER_S = math.exp(-0.25)
DUE = T0 + TTL_S - 1.5
"""1.5 s before expiry: inside the 2 s gap, so the caller must be told to recompute."""
LATE = T0 + TTL_S - 0.7
"""0.7 s before expiry: a gap 2.3 times too small (log10 for ln) still refreshes here."""
EXPIRED = T0 + TTL_S + 0.5

SECONDS_AS_MS = (
    "early_set gave PEXPIRE ttl_s (seconds): PEXPIRE takes milliseconds (ttl_s * 1000), so the entry "
    "is gone 1000 times too soon"
)
RELATIVE_EXPIRY = (
    "early_set stored the expiry as ttl_s instead of now + ttl_s: the clock is absolute, so every "
    "early_get after ttl_s seconds sees the value expired"
)
EARLY_TOO_EARLY = (
    "XFetch refreshes far too early: store delta in seconds (delta_s), the unit of now and expiry; "
    "in milliseconds the gap delta * beta * -ln(u) is 1000 times too big and almost every read recomputes"
)
SERVES_EXPIRED = (
    "early_get served the value after its expiry: once now >= expiry it is a miss (None), "
    "whatever the key's Redis TTL says"
)
KEEPS_FLAG = (
    "early_set must delete the refresh flag: left in place, it refuses every recompute until its PX "
    "runs out, and the value expires meanwhile"
)
WINNER_GETS_NONE = (
    "the caller told to recompute must still get the value: early_get returned None with the flag, "
    "so the winner of every early refresh misses"
)
FLAG_ON_HIT = (
    "early_get took the refresh flag on a hit that needed no recompute: SET the flag NX only when "
    "this caller is the one to recompute, or nobody can when the time comes"
)
LOG10 = (
    "XFetch uses the natural log: recompute when now - delta * beta * ln(u) >= expiry; the gap came "
    "out about 2.3 times too small, as with log10(u), so refreshes come late"
)
NO_FLAG = (
    "early refresh without an in-progress flag: several readers recompute at once; let the "
    "one that wins SET NX do it"
)
NEVER_EARLY = (
    "XFetch never refreshed early: the test is now - delta * beta * ln(u) >= expiry, and ln(u) <= 0, "
    "so the gap delta * beta * -ln(u) is ADDED to now (adding delta * beta * ln(u) flips it)"
)


@dataclass
class Probe:
    """What the probe observed: problems for the message, and the pitfall they point to first."""

    problems: list[str] = field(default_factory=list)
    pitfalls: list[str] = field(default_factory=list)
    never_early: bool = False

    def wrong(self, problem: str, pitfall: str) -> None:
        self.problems.append(problem)
        self.pitfalls.append(pitfall)


def _get(impl: Any, ctx: DrillContext, key: str, now: float, u: float) -> tuple[Any, bool]:
    value, mine = impl.early_get(ctx.r, key, now, u, BETA)
    return value, bool(mine)


def _numbers(ctx: DrillContext, key: str) -> set[float]:
    """Every number stored at ``key`` (hash values, or the string), whatever the learner's layout."""
    kind = str(ctx.r.type(key))
    if kind not in ("hash", "string"):
        return set()
    text = " ".join(map(str, ctx.r.hvals(key))) if kind == "hash" else str(ctx.r.get(key))
    return {float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", text)}


def probe(ctx: DrillContext, impl: Any, name: str) -> Probe:
    """Store values at T0 for TTL_S and read them at chosen clocks and u, where XFetch's answer is known."""
    p = Probe()
    a, b, c = (ctx.key("cache", "{" + f"{name}:{x}" + "}") for x in "abc")
    ctx.r.delete(a, b, c)
    _, cold_mine = _get(impl, ctx, a, T0, 0.5)
    impl.early_set(ctx.r, a, "a1", DELTA_S, TTL_S, T0)
    pttl = int(ctx.r.pttl(a))
    if 0 <= pttl <= TTL_S:
        p.wrong(
            f"PTTL after early_set(ttl_s={TTL_S:g}) is {pttl} ms (want about {TTL_S * 1000:g})", SECONDS_AS_MS
        )
    value, mine = _get(impl, ctx, a, EXPIRED, 0.5)
    if value is not None:
        p.wrong(f"early_get 0.5 s after expiry returned {value!r} (want None)", SERVES_EXPIRED)
    if cold_mine and not mine:
        p.wrong("after early_set, an expired entry was not handed to anyone to recompute", KEEPS_FLAG)
    impl.early_set(ctx.r, b, "b1", DELTA_S, TTL_S, T0)
    value, mine = _get(impl, ctx, b, T0 + 1, U_GAP_2S)
    if value is None:
        relative = TTL_S in _numbers(ctx, b) and T0 + TTL_S not in _numbers(ctx, b)
        p.wrong(
            f"a value stored at now={T0:g} for {TTL_S:g} s was a miss at now={T0 + 1:g}",
            RELATIVE_EXPIRY if relative else NO_KNOWN_PITFALL,
        )
        return p
    if mine:
        # With delta in ms, a u whose gap is 0.25 s gives 250 s: no refresh 599 s early. A yes
        # means the gap plays no part.
        impl.early_set(ctx.r, c, "c1", DELTA_S, TTL_S, T0)
        scaled = not _get(impl, ctx, c, T0 + 1, U_GAP_QUARTER_S)[1]
        p.wrong(
            f"told to recompute {TTL_S - 1:g} s before expiry where the gap is 2 s",
            EARLY_TOO_EARLY if scaled else NO_KNOWN_PITFALL,
        )
        return p
    value, mine = _get(impl, ctx, b, DUE, U_GAP_2S)
    if mine and value is None:
        p.wrong("the caller told to recompute got None (want the value)", WINNER_GETS_NONE)
    if mine:
        if _get(impl, ctx, b, DUE + 0.05, U_GAP_2S)[1]:
            p.wrong("the next caller, 50 ms later, was told to recompute as well", NO_FLAG)
        return p
    impl.early_set(ctx.r, c, "c1", DELTA_S, TTL_S, T0)
    problem = f"not told to recompute {T0 + TTL_S - DUE:g} s before expiry where the gap is 2 s"
    if _get(impl, ctx, c, DUE, U_GAP_2S)[1]:
        p.wrong(problem + " (after a hit)", FLAG_ON_HIT)
    elif _get(impl, ctx, c, LATE, U_GAP_2S)[1]:
        p.wrong(problem + f" (only {T0 + TTL_S - LATE:g} s before)", LOG10)
    else:
        p.never_early = True
        p.wrong(problem + " (nor 0.7 s before)", NEVER_EARLY)
    return p
