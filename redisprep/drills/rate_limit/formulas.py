"""The rate limiters and their known wrong formulas as pure functions, to name the formula a limiter used.

Each simulator takes (limit, window_ms, request times in ms) and returns what it admits, one bool
per request, exactly as the Redis version would on an injected clock. The steady-traffic check runs
a learner's limiter over a trace and, when it misbehaves, looks for the wrong formula that admits
the same requests.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

Simulator = Callable[[int, int, Sequence[int]], list[bool]]


def sliding_counter(
    limit: int, window: int, times: Sequence[int], *, weight_elapsed: bool = False, previous_1ms: bool = False
) -> list[bool]:
    """Two fixed windows; the previous one weighted by its overlap (or, wrongly, by the elapsed part;
    or, wrongly, the window of now - 1 ms read as the previous one)."""
    counts: dict[int, int] = {}
    out = []
    for now in times:
        slot, elapsed = divmod(now, window)
        share = elapsed / window if weight_elapsed else (window - elapsed) / window
        previous = (now - 1) // window if previous_1ms else slot - 1
        admit = counts.get(previous, 0) * share + counts.get(slot, 0) + 1 <= limit
        if admit:
            counts[slot] = counts.get(slot, 0) + 1
        out.append(admit)
    return out


def sliding_log(limit: int, window: int, times: Sequence[int], *, log_denied: bool = False) -> list[bool]:
    """Admitted timestamps of the last window (or, wrongly, every request's, denied ones too)."""
    log: list[int] = []
    out = []
    for now in times:
        log = [t for t in log if t > now - window]
        admit = len(log) < limit
        if admit or log_denied:
            log.append(now)
        out.append(admit)
    return out


def token_bucket(limit: int, window: int, times: Sequence[int], *, refill_scale: float = 1.0) -> list[bool]:
    """``limit`` tokens refilled at limit/window per ms (times ``refill_scale`` for a unit mistake)."""
    tokens, last = float(limit), None
    out = []
    for now in times:
        if last is not None:
            tokens = min(float(limit), tokens + (now - last) * limit / window * refill_scale)
        last = now
        admit = tokens >= 1
        if admit:
            tokens -= 1
        out.append(admit)
    return out


def gcra(
    limit: int,
    window: int,
    times: Sequence[int],
    *,
    tolerance: float | None = None,
    store_denied: bool = False,
) -> list[bool]:
    """Theoretical arrival time; burst tolerance ``window`` (or a wrong one; or, wrongly, the new
    TAT stored on a denial too)."""
    interval = window / limit
    tau = window if tolerance is None else tolerance
    tat = 0.0
    out = []
    for now in times:
        new_tat = max(tat, now) + interval
        admit = new_tat - tau <= now
        if admit or store_denied:
            tat = new_tat
        out.append(admit)
    return out


def fixed_window(limit: int, window: int, times: Sequence[int], *, as_text: bool = False) -> list[bool]:
    """At most ``limit`` per aligned window (or, wrongly, the count compared with it as text)."""
    counts: dict[int, int] = {}
    out = []
    for now in times:
        slot = now // window
        counts[slot] = counts.get(slot, 0) + 1
        out.append(str(counts[slot]) <= str(limit) if as_text else counts[slot] <= limit)
    return out


FIXED = (
    "fixed window: a burst at the end of one window and another at the start of the next get twice "
    "the limit through within seconds; use a sliding log, a sliding window counter, a token bucket or "
    "GCRA"
)

#: Known wrong formulas per algorithm: (pitfall, simulator).
WRONG: dict[str, tuple[tuple[str, Simulator], ...]] = {
    "fixed_window": (
        (
            "off by one: INCR returns the count including this request; admit while count <= limit",
            lambda lim, w, t: fixed_window(lim - 1, w, t),
        ),
        (
            "count compared with the limit as text: as strings '2' > '10'; tonumber() both in Lua "
            "(ARGV are strings) or int() them in Python",
            lambda lim, w, t: fixed_window(lim, w, t, as_text=True),
        ),
        (
            "window named from seconds (now_ms // 1000 // window_ms): each window lasts 1000 windows; "
            "both are milliseconds, so the window is now_ms // window_ms",
            lambda lim, w, t: fixed_window(lim, w * 1000, t),
        ),
    ),
    "sliding_counter": (
        (
            "sliding counter weighted by the elapsed part of the window: the previous window counts "
            "for (window - elapsed) / window, how much of it the sliding window still covers",
            lambda lim, w, t: sliding_counter(lim, w, t, weight_elapsed=True),
        ),
        (
            "sliding counter reading the window of now - 1 ms as the previous one (mostly the current "
            "window, counted twice): the previous window is now_ms // window_ms - 1",
            lambda lim, w, t: sliding_counter(lim, w, t, previous_1ms=True),
        ),
        (FIXED, fixed_window),
    ),
    "sliding_log": (
        (
            "sliding log that logs denied requests too: a client that keeps retrying stays locked "
            "out for good; ZADD only when the request is admitted",
            lambda lim, w, t: sliding_log(lim, w, t, log_denied=True),
        ),
        (FIXED, fixed_window),
    ),
    "token_bucket": (
        (
            "token bucket refilled per second instead of per millisecond: now_ms and window_ms are "
            "milliseconds; refill limit * elapsed_ms / window_ms tokens",
            lambda lim, w, t: token_bucket(lim, w, t, refill_scale=1000.0),
        ),
        (
            "token bucket that never refills (or rounds each refill away: tokens kept as whole numbers "
            "lose the fraction a request earns): add limit * elapsed / window tokens on every request, "
            "capped at limit, and keep the fraction",
            lambda lim, w, t: token_bucket(lim, w, t, refill_scale=0.0),
        ),
        (FIXED, fixed_window),
    ),
    "gcra": (
        (
            "GCRA without burst tolerance (tau = one interval T): it admits one request per emission "
            "interval and no burst; tau = window_ms lets a burst of limit through",
            lambda lim, w, t: gcra(lim, w, t, tolerance=w / lim),
        ),
        (
            "GCRA tolerance of one interval short (window - T): the burst is limit - 1",
            lambda lim, w, t: gcra(lim, w, t, tolerance=w - w / lim),
        ),
        (
            "GCRA that stores the new TAT on a denial too: every denied retry pushes the TAT further "
            "ahead and a client that keeps trying is locked out; SET only when admitting",
            lambda lim, w, t: gcra(lim, w, t, store_denied=True),
        ),
        (FIXED, fixed_window),
    ),
}


def candidates(
    algorithm: str,
    limit: int,
    window: int,
    times: Sequence[int],
    got: Sequence[bool],
    *,
    exact: bool = False,
) -> list[str]:
    """Every known wrong formula of ``algorithm`` that admits what ``got`` admitted.

    Args:
        exact: Only formulas that admit exactly ``got``, none that is merely close (for a trace too
            short to tell a rounding difference from another mistake).
    """
    found = []
    for pitfall, simulate in WRONG.get(algorithm, ()):
        expected = simulate(limit, window, times)
        close = not exact and sum(got) == sum(expected) and _close(got, expected)
        if list(got) == expected or close:
            found.append(pitfall)
    return found


def common(found: Sequence[Sequence[str]]) -> str | None:
    """The one pitfall every misbehaving limiter can be explained by (the first, if several)."""
    if not found:
        return None
    shared = [p for p in found[0] if all(p in other for other in found[1:])]
    return shared[0] if shared else None


def _close(a: Sequence[bool], b: Sequence[bool]) -> bool:
    """Equal but for a few decisions (rounding in the learner's arithmetic)."""
    return sum(x != y for x, y in zip(a, b, strict=True)) <= max(2, math.ceil(len(a) / 50))
