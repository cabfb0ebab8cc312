"""Judge a rate limiter: every admit/refuse decision against an exact sliding window, edge included."""

from __future__ import annotations

import random

from redisprep.interview.judges._common import Judge, Outcomes, as_int, errors_in, expiry_outcome
from redisprep.interview.runner import Bench
from redisprep.quiz.model import Reply

LIMIT, WINDOW_MS = 5, 1000


def _requests() -> list[tuple[str, int]]:
    """u1 fills its limit just before a window edge and tries again just after it; others at random."""
    out = [("u1", 900 + i) for i in range(LIMIT)] + [("u1", 1000 + i) for i in range(LIMIT)]
    out += [("u1", 1950), ("u1", 2001)]
    rng = random.Random(19)
    now = 2100
    for _ in range(200):
        now += rng.choice((1, 5, 40, 150, 400))
        out.append((f"u{rng.randint(2, 5)}", now))
    return out


def _truth(requests: list[tuple[str, int]], count_refused: bool) -> list[bool]:
    """Exact sliding window (now - WINDOW_MS, now]: admitted when fewer than LIMIT before it."""
    seen: dict[str, list[int]] = {}
    out = []
    for user, now in requests:
        log = [t for t in seen.get(user, []) if t > now - WINDOW_MS]
        ok = len(log) < LIMIT
        if ok or count_refused:
            log.append(now)
        seen[user] = log
        out.append(ok)
    return out


def run(bench: Bench) -> Outcomes:
    requests = _requests()
    replies: list[Reply] = []
    decided: list[bool | None] = []
    for i, (user, now) in enumerate(requests):
        params = {
            "user": user,
            "now_ms": str(now),
            "window_ms": str(WINDOW_MS),
            "cutoff_ms": str(now - WINDOW_MS),
            "window_id": str(now // WINDOW_MS),
            "limit": str(LIMIT),
            "req": f"r{i}",
        }
        reply = bench.call("hit", params)
        replies.append(reply)
        n = as_int(reply)
        decided.append(None if n is None else n <= LIMIT)
    best: tuple[int, bool] | None = None
    for count_refused in (True, False):
        truth = _truth(requests, count_refused)
        bad = [i for i, (d, t) in enumerate(zip(decided, truth, strict=True)) if d != t]
        if best is None or len(bad) < best[0]:
            best = (len(bad), count_refused)
            first_bad = bad[:1]
    assert best is not None
    if best[0] == 0:
        exact = (
            True,
            f"all {len(requests)} decisions match an exact sliding window, across the edge at 1000 ms",
        )
    else:
        user, at = requests[first_bad[0]]
        admitted = sum(1 for d in decided[LIMIT : 2 * LIMIT] if d)
        exact = (
            False,
            f"{best[0]} of {len(requests)} decisions differ from an exact {WINDOW_MS} ms window; "
            f"first: {user} at {at} ms. Just after the edge it admitted {admitted} more of u1's "
            f"requests, {LIMIT + admitted} within {WINDOW_MS} ms for a limit of {LIMIT}{errors_in(replies)}",
        )
    return {"edge-exact": exact, "expiry": expiry_outcome(bench, "counters pile up for every user forever")}


JUDGE = Judge(
    "limiter",
    {"hit": ("user", "now_ms", "window_ms", "cutoff_ms", "window_id", "limit", "req")},
    {"hit": "the number of requests in the window including this one (admitted when <= limit)"},
    {"edge-exact": "admit/refuse exact at the window edge", "expiry": "every limiter key expires"},
    run,
)
