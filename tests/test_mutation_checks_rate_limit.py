"""The rate-limit checks decide right: each wrong limiter fails the check it breaks, naming its
pitfall, and the reference passes each check with the message a learner reads.

In this process, on the embedded backend (``make mutate`` sees a mutated check here). The wrong
limiters are the reference with one function replaced, as a learner would write them; where only
the decisions matter (within_limit, steady, boundary), a wrong formula is the drill's own simulator
of it (``formulas``), which admits exactly what the Redis version would.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any

import pytest
from mutation_support import corpus_module, embedded_ctx  # noqa: F401 (the ctx fixture)
from mutation_support import fails as _fails

from redisprep.drills.check_helpers import NO_KNOWN_PITFALL, variant
from redisprep.drills.context import DrillContext
from redisprep.drills.model import CheckResult
from redisprep.drills.rate_limit import checks, formulas
from redisprep.drills.rate_limit import reference as rl
from redisprep.drills.rate_limit.steps import FIXED_AS_SLIDING, READ_THEN_WRITE

Limiter = Callable[[Any, str, int, int, int], bool]
Simulator = Callable[[int, int, Sequence[int]], list[bool]]


def _pitfall(name: str, starts: str) -> str:
    """The known wrong formula of ``name`` whose pitfall starts with ``starts``."""
    return next(p for p, _ in formulas.WRONG[name] if p.startswith(starts))


def _simulated(simulate: Simulator) -> Limiter:
    """A limiter deciding as ``simulate`` does over each key's requests so far (no Redis)."""
    seen: dict[str, list[int]] = {}

    def limiter(r: Any, key: str, limit: int, window_ms: int, now_ms: int) -> bool:
        times = seen.setdefault(key, [])
        times.append(now_ms)
        return simulate(limit, window_ms, times)[-1]

    return limiter


def _tweaked(name: str, admit: Collection[int] = (), deny: Collection[int] = ()) -> Limiter:
    """The reference ``name``, with the decision on each key's n-th request forced for n in admit/deny."""
    return _forced(getattr(rl, name), admit, deny)


def _forced(fn: Limiter, admit: Collection[int] = (), deny: Collection[int] = ()) -> Limiter:
    """``fn``, with the decision on each key's n-th request forced for n in admit/deny."""
    calls: dict[str, int] = {}

    def limiter(r: Any, key: str, limit: int, window_ms: int, now_ms: int) -> bool:
        n = calls[key] = calls.get(key, -1) + 1
        ok = bool(fn(r, key, limit, window_ms, now_ms))
        return True if n in admit else False if n in deny else ok

    return limiter


def _fixed_script(compare: Callable[[int, int], bool]) -> Limiter:
    """The reference fixed window, deciding with ``compare(count, limit)``."""

    def limiter(r: Any, key: str, limit: int, window_ms: int, now_ms: int) -> bool:
        count = int(r.eval(rl._FIXED_WINDOW, 1, rl.window_key(key, window_ms, now_ms), window_ms))
        return compare(count, limit)

    return limiter


# --- the reference passes, with the message the learner reads ----------------------------------

PASSING = {
    checks.within_limit: "every limiter admitted 10 of 15 requests in 1.4 s, and 10 of 12 again 120 s later",
    checks.boundary: (
        "sliding_log 10, sliding_counter 10, token_bucket 10, gcra 10 of 20 requests in 1.81 s (limit 10)"
    ),
    checks.steady: (
        "80 requests over 4 minutes: fixed_window 40, sliding_log 40, sliding_counter 37, "
        "token_bucket 49, gcra 49 admitted"
    ),
    checks.concurrent: "every limiter admitted exactly 10 of 32 concurrent requests",
    checks.keys: (
        "every limiter's keys share one slot and expire within two windows, not before their state stops "
        "mattering"
    ),
    checks.one_round_trip: "every decision took 1 round trip",
}


@pytest.mark.parametrize("check", list(PASSING), ids=lambda c: c.id)
def test_the_reference_passes_each_check_with_its_message(ctx: DrillContext, check: Any) -> None:
    result = check.run(ctx, rl)
    assert (result.status, result.message, result.pitfall) == ("pass", PASSING[check], None)


def test_the_reference_measures_what_it_says(ctx: DrillContext) -> None:
    every = dict.fromkeys(checks.ALGORITHMS, 10)
    assert checks.within_limit.run(ctx, rl).measured == every
    assert checks.concurrent.run(ctx, rl).measured == every
    assert checks.boundary.run(ctx, rl).measured == dict.fromkeys(checks.SLIDING, 10)
    assert checks.steady.run(ctx, rl).measured == {
        "fixed_window": 40,
        "sliding_log": 40,
        "sliding_counter": 37,
        "token_bucket": 49,
        "gcra": 49,
    }
    assert checks.one_round_trip.run(ctx, rl).measured == {f"trips_{n}": 1 for n in checks.ALGORITHMS}
    assert checks.keys.run(ctx, rl).measured == {}


def test_each_limiter_key_is_new_so_two_runs_never_share_state(ctx: DrillContext) -> None:
    keys = {checks.limiter_key(ctx, "same") for _ in range(300)}
    assert len(keys) == 300
    assert all(k.startswith(ctx.key("rl", "{same-")) and k.endswith("}") for k in keys)
    for check in PASSING:  # and a check run again in one context passes again
        assert check.run(ctx, rl).status == "pass", check.id


def test_every_key_a_check_makes_the_limiters_write_is_in_the_runs_namespace(ctx: DrillContext) -> None:
    for check in PASSING:
        check.run(ctx, rl)
        outside = [k for k in ctx.r.scan_iter(count=1000) if not k.startswith("redisprep:")]
        assert outside == [], check.id
        assert list(ctx.r.scan_iter(match=ctx.ns.prefix + "*", count=1000)), check.id


def test_a_burst_across_the_boundary_is_split_at_60_s(ctx: DrillContext) -> None:
    assert checks.boundary_burst(ctx, rl.fixed_window, "fw") == (10, 10)
    assert checks.boundary_burst(ctx, rl.gcra, "gcra") == (10, 0)
    assert checks.burst_decisions(ctx, rl.sliding_log, "sl") == [True] * 10 + [False] * 10


# --- within the limit ---------------------------------------------------------------------------


def test_an_off_by_one_fixed_window_fails_within_limit(ctx: DrillContext) -> None:
    wrong = variant(rl, fixed_window=_fixed_script(lambda count, limit: count < limit))
    result = checks.within_limit.run(ctx, wrong)
    _fails(result, _pitfall("fixed_window", "off by one"))
    assert result.message == "fixed_window admitted 9 (want 10)"
    assert result.measured["fixed_window"] == 9


def test_gcra_without_burst_tolerance_fails_within_limit(ctx: DrillContext) -> None:
    no_burst = _simulated(lambda lim, w, t: formulas.gcra(lim, w, t, tolerance=w / lim))
    result = checks.within_limit.run(ctx, variant(rl, gcra=no_burst))
    _fails(result, _pitfall("gcra", "GCRA without burst tolerance"))
    assert result.message == "gcra admitted 1 (want 10)"


def test_a_limiter_that_never_recovers_fails_within_limit(ctx: DrillContext) -> None:
    def forever(r: Any, key: str, limit: int, window_ms: int, now_ms: int) -> bool:
        return int(r.incr(f"{key}:count")) <= limit

    """Before the fix it was named "GCRA tolerance of one interval short": 10 admitted then a denial
    is one admit moved from the 16 that formula admits, which counted as close."""
    result = checks.within_limit.run(ctx, variant(rl, gcra=forever))
    _fails(
        result,
        "count before admitting, and let old state go (expiry, trimming or refill), or a client is "
        "over-admitted or locked out for good",
    )
    assert result.message == "gcra still denies after 120 s"


def test_a_limiter_locked_out_for_longer_than_two_windows_fails_within_limit(ctx: DrillContext) -> None:
    """A window that opens at the client's first request and lasts 2.5 windows: the request after
    two windows of silence is still denied."""

    def slow(r: Any, key: str, limit: int, window_ms: int, now_ms: int) -> bool:
        start = int(r.get(f"{key}:start") or now_ms)
        if now_ms - start >= window_ms * 5 // 2:
            r.delete(f"{key}:count")
            start = now_ms
        r.set(f"{key}:start", start, px=3 * window_ms)
        count = int(r.incr(f"{key}:count"))
        r.pexpire(f"{key}:count", 3 * window_ms)
        return count <= limit

    result = checks.within_limit.run(ctx, variant(rl, token_bucket=slow))
    assert (result.status, result.message) == ("fail", "token_bucket still denies after 120 s")


def test_a_limiter_that_admits_everything_fails_within_limit(ctx: DrillContext) -> None:
    result = checks.within_limit.run(ctx, variant(rl, sliding_log=lambda *a: True))
    _fails(
        result,
        "count before admitting, and let old state go (expiry, trimming or refill), or a client is "
        "over-admitted or locked out for good",
    )
    assert result.message == "sliding_log admitted 15 (want 10)"
    assert result.measured["sliding_log"] == 15


def test_one_request_too_many_fails_within_limit(ctx: DrillContext) -> None:
    wrong = variant(rl, fixed_window=_fixed_script(lambda count, limit: count <= limit + 1))
    result = checks.within_limit.run(ctx, wrong)
    assert (result.status, result.message) == ("fail", "fixed_window admitted 11 (want 10)")


def test_too_few_admitted_by_no_known_formula_names_no_pitfall(ctx: DrillContext) -> None:
    half = variant(rl, token_bucket=_fixed_script(lambda count, limit: count <= limit // 2))
    result = checks.within_limit.run(ctx, half)
    _fails(result, NO_KNOWN_PITFALL)
    assert result.message == "token_bucket admitted 5 (want 10)"


def test_two_limiters_wrong_in_different_ways_name_no_single_pitfall(ctx: DrillContext) -> None:
    no_burst = _simulated(lambda lim, w, t: formulas.gcra(lim, w, t, tolerance=w / lim))
    off_by_one = _fixed_script(lambda count, limit: count < limit)
    result = checks.within_limit.run(ctx, variant(rl, gcra=no_burst, fixed_window=off_by_one))
    _fails(result, NO_KNOWN_PITFALL)
    assert result.message == "fixed_window admitted 9 (want 10); gcra admitted 1 (want 10)"


def test_over_admitting_and_never_recovering_are_both_reported(ctx: DrillContext) -> None:
    def forever(r: Any, key: str, limit: int, window_ms: int, now_ms: int) -> bool:
        return int(r.incr(f"{key}:count")) <= limit

    result = checks.within_limit.run(ctx, variant(rl, gcra=forever, sliding_log=lambda *a: True))
    assert result.message == "sliding_log admitted 15 (want 10); gcra still denies after 120 s"


def test_a_known_formula_with_one_admit_moved_is_not_named_in_within_limit(ctx: DrillContext) -> None:
    """27 decisions are too few to call a moved admit rounding: an off-by-one fixed window that also
    denies its 9th request and admits its 10th is another mistake, not the off-by-one formula."""
    off_by_one = _simulated(lambda lim, w, t: formulas.fixed_window(lim - 1, w, t))
    moved = _forced(off_by_one, admit=[9], deny=[8])
    result = checks.within_limit.run(ctx, variant(rl, fixed_window=moved))
    _fails(result, NO_KNOWN_PITFALL)
    assert result.message == "fixed_window admitted 9 (want 10)"


# --- steady traffic -----------------------------------------------------------------------------

STEADY_TIMES = [checks.EPOCH_MS + 500 + checks.STEADY_EVERY_MS * i for i in range(checks.STEADY_REQUESTS)]
REFERENCE = {
    "fixed_window": formulas.fixed_window,
    "sliding_log": formulas.sliding_log,
    "sliding_counter": formulas.sliding_counter,
    "token_bucket": formulas.token_bucket,
    "gcra": formulas.gcra,
}


def _admitted(name: str) -> list[int]:
    """Which of the steady requests the reference ``name`` admits (its simulator says the same)."""
    got = REFERENCE[name](checks.LIMIT, checks.WINDOW_MS, STEADY_TIMES)
    return [i for i, ok in enumerate(got) if ok]


def _denied(name: str) -> list[int]:
    return sorted(set(range(checks.STEADY_REQUESTS)) - set(_admitted(name)))


def test_the_simulators_admit_what_the_reference_admits(ctx: DrillContext) -> None:
    for name in checks.ALGORITHMS:
        key = checks.limiter_key(ctx, name)
        got = checks.decisions(ctx, rl, name, key, STEADY_TIMES)
        assert [i for i, ok in enumerate(got) if ok] == _admitted(name), name


def _steady_moved(ctx: DrillContext, name: str, fewer: int, more: int) -> CheckResult:
    """steady with the reference ``name`` denying its last ``fewer`` admits and admitting its last
    ``more`` denials."""
    deny = _admitted(name)[len(_admitted(name)) - fewer :]
    admit = _denied(name)[len(_denied(name)) - more :] if more else []
    return checks.steady.run(ctx, variant(rl, **{name: _tweaked(name, admit, deny)}))


@pytest.mark.parametrize(
    ("name", "fewer", "more", "total"),
    [
        ("fixed_window", 10, 0, 30),
        ("sliding_log", 1, 0, 39),
        ("sliding_counter", 1, 0, 36),
        ("token_bucket", 4, 0, 45),
        ("gcra", 4, 0, 45),
        ("token_bucket", 0, 1, 50),
        ("gcra", 0, 1, 50),
    ],
)
def test_steady_totals_at_the_edge_of_their_range_pass(
    ctx: DrillContext, name: str, fewer: int, more: int, total: int
) -> None:
    result = _steady_moved(ctx, name, fewer, more)
    assert result.status == "pass", result.message
    assert result.measured[name] == total


@pytest.mark.parametrize(
    ("name", "fewer", "more", "total", "want", "worst"),
    [
        ("fixed_window", 11, 0, 29, "30..40", 10),
        ("sliding_log", 2, 0, 38, "39..40", 10),
        ("sliding_counter", 2, 0, 35, "36..40", 10),
        ("token_bucket", 5, 0, 44, "45..50", 19),
        ("gcra", 5, 0, 44, "45..50", 19),
        ("token_bucket", 0, 2, 51, "45..50", 19),
        ("gcra", 0, 2, 51, "45..50", 19),
    ],
)
def test_steady_totals_just_outside_their_range_fail(
    ctx: DrillContext, name: str, fewer: int, more: int, total: int, want: str, worst: int
) -> None:
    result = _steady_moved(ctx, name, fewer, more)
    _fails(result, NO_KNOWN_PITFALL)
    assert result.message == f"{name} admitted {total} (want {want}), at most {worst} in one 60 s window"
    assert result.measured[name] == total


@pytest.mark.parametrize(
    ("name", "extra", "worst"),
    [("fixed_window", 1, 11), ("sliding_log", 1, 11), ("sliding_counter", 1, 11)],
)
def test_one_window_over_the_limit_fails_steady_whatever_the_total(
    ctx: DrillContext, name: str, extra: int, worst: int
) -> None:
    """The first denied requests admitted, as many admitted ones at the end denied: the total is
    the reference's, but one window holds one too many."""
    admit = _denied(name)[:extra]
    deny = _admitted(name)[-extra:]
    result = checks.steady.run(ctx, variant(rl, **{name: _tweaked(name, admit, deny)}))
    assert result.status == "fail"
    assert f"{name} admitted {len(_admitted(name))} (want " in result.message
    assert result.message.endswith(f"at most {worst} in one 60 s window")


@pytest.mark.parametrize("name", ["token_bucket", "gcra"])
def test_a_bucket_with_every_request_of_one_window_admitted_passes_steady(
    ctx: DrillContext, name: str
) -> None:
    """A window of 60 s holds 20 requests of the steady traffic: a bucket may admit all of them once
    (its burst of LIMIT, then the refill)."""
    admit, deny = _denied(name)[:1], _admitted(name)[-1:]
    result = checks.steady.run(ctx, variant(rl, **{name: _tweaked(name, admit, deny)}))
    assert result.status == "pass", result.message
    assert result.measured[name] == len(_admitted(name))


def test_eleven_in_the_window_ending_at_the_last_request_fail_steady(ctx: DrillContext) -> None:
    """The last request admitted (and the first denied, so the total is the reference's): the
    window that ends at that request holds 11."""
    name = "sliding_log"
    admit, deny = _denied(name)[-1:], _admitted(name)[:1]
    result = checks.steady.run(ctx, variant(rl, sliding_log=_tweaked(name, admit, deny)))
    assert result.status == "fail"
    assert result.message == "sliding_log admitted 40 (want 39..40), at most 11 in one 60 s window"


def test_a_fixed_window_with_eleven_in_its_first_window_fails_steady(ctx: DrillContext) -> None:
    """Its worst sliding window holds 10, but one aligned window holds 11: fixed_window's own rule."""
    admit, deny = [10], [_admitted("fixed_window")[-1]]
    result = checks.steady.run(ctx, variant(rl, fixed_window=_tweaked("fixed_window", admit, deny)))
    assert result.status == "fail"
    assert result.message.startswith("fixed_window admitted 40 (want 30..40), at most ")


@pytest.mark.parametrize(
    ("name", "starts", "message"),
    [
        ("sliding_log", "sliding log that logs denied", "sliding_log admitted 10 (want 39..40)"),
        ("sliding_counter", "sliding counter weighted", "sliding_counter admitted 30 (want 36..40)"),
        ("token_bucket", "token bucket refilled per second", "token_bucket admitted 80 (want 45..50)"),
        ("token_bucket", "token bucket that never refills", "token_bucket admitted 10 (want 45..50)"),
    ],
)
def test_a_known_wrong_formula_fails_steady_naming_it(
    ctx: DrillContext, name: str, starts: str, message: str
) -> None:
    pitfall = _pitfall(name, starts)
    simulate = dict(formulas.WRONG[name])[pitfall]
    result = checks.steady.run(ctx, variant(rl, **{name: _simulated(simulate)}))
    _fails(result, pitfall)
    assert result.message.startswith(message + ", at most ")


def test_fixed_windows_posing_as_buckets_fail_steady_as_fixed_windows(ctx: DrillContext) -> None:
    result = checks.steady.run(ctx, variant(rl, token_bucket=rl.fixed_window, gcra=rl.fixed_window))
    _fails(result, formulas.FIXED)
    assert result.message == (
        "token_bucket admitted 40 (want 45..50), at most 10 in one 60 s window; "
        "gcra admitted 40 (want 45..50), at most 10 in one 60 s window"
    )
    assert result.measured["token_bucket"] == 40


def _moved_from_wrong(name: str, starts: str, moved: int) -> tuple[str, Limiter]:
    """The known wrong formula of ``name`` whose pitfall starts with ``starts``, as a limiter that
    admits its first ``moved`` denials on the steady trace and denies its last ``moved`` admits."""
    pitfall = _pitfall(name, starts)
    simulate = dict(formulas.WRONG[name])[pitfall]
    got = simulate(checks.LIMIT, checks.WINDOW_MS, STEADY_TIMES)
    admitted = [i for i, ok in enumerate(got) if ok]
    denied = [i for i, ok in enumerate(got) if not ok]
    limiter = _forced(_simulated(simulate), admit=denied[:moved], deny=admitted[len(admitted) - moved :])
    return pitfall, limiter


def test_a_known_wrong_formula_one_admit_off_is_still_named_in_steady(ctx: DrillContext) -> None:
    """Rounding in a learner's arithmetic moves an admit: of 80 decisions two differ from the formula
    and the total is its own, so steady still names it."""
    pitfall, limiter = _moved_from_wrong("sliding_counter", "sliding counter weighted", 1)
    result = checks.steady.run(ctx, variant(rl, sliding_counter=limiter))
    _fails(result, pitfall)
    assert result.message.startswith("sliding_counter admitted 30 (want 36..40), at most ")


def test_a_known_wrong_formula_two_admits_off_is_not_named_in_steady(ctx: DrillContext) -> None:
    """Four of 80 decisions apart is more than rounding: no known formula."""
    _, limiter = _moved_from_wrong("sliding_counter", "sliding counter weighted", 2)
    result = checks.steady.run(ctx, variant(rl, sliding_counter=limiter))
    _fails(result, NO_KNOWN_PITFALL)
    assert result.message.startswith("sliding_counter admitted 30 (want 36..40), at most ")


def test_a_few_decisions_apart_are_close_and_more_are_not() -> None:
    """Close (rounding): at most 2 decisions apart, or 1 in 50 of a longer trace (rounded up)."""

    def apart(n: int, k: int) -> tuple[list[bool], list[bool]]:
        return [True] * n, [False] * k + [True] * (n - k)

    assert formulas._close(*apart(80, 2))
    assert not formulas._close(*apart(80, 3))
    assert not formulas._close(*apart(100, 3))  # 100 / 50 = 2
    assert formulas._close(*apart(101, 3))  # 101 / 50 rounds up to 3
    assert formulas._close(*apart(151, 4))  # 151 / 50 rounds up to 4
    assert not formulas._close(*apart(151, 5))


@pytest.mark.parametrize(
    ("name", "wrong", "times"),
    [
        *((name, None, [0, 0, 0, 1, 59_999, 60_000, 60_001]) for name in checks.ALGORITHMS),
        # Two requests 1 ms into a window, then two 1 ms before one ends: the window of now - 1 ms
        # is the current one at both (the previous one only at 0 ms into a window).
        ("sliding_counter", "counter_previous_1ms", [60_001, 60_001, 179_999, 179_999]),
    ],
)
def test_a_simulator_admits_what_its_redis_version_admits_at_the_clocks_edges(
    ctx: DrillContext, name: str, wrong: str | None, times: list[int]
) -> None:
    """On a clock that starts at 0 (GCRA reads a missing TAT as 0), and 1 ms either side of a window
    boundary; limit 2 per 60 s."""
    if wrong is None:
        limiter, simulate = getattr(rl, name), REFERENCE[name]
    else:
        limiter = getattr(_corpus_module(wrong), name)
        simulate = dict(formulas.WRONG[name])[_pitfall(name, "sliding counter reading")]
    key = checks.limiter_key(ctx, "edges")
    admitted = [bool(limiter(ctx.r, key, 2, checks.WINDOW_MS, t)) for t in times]
    assert simulate(2, checks.WINDOW_MS, times) == admitted


# --- boundary -----------------------------------------------------------------------------------


def test_a_sliding_counter_without_the_previous_window_fails_boundary(ctx: DrillContext) -> None:
    result = checks.boundary.run(ctx, FIXED_AS_SLIDING)
    _fails(result, formulas.FIXED)
    assert result.message == "sliding_counter admitted 20 in 1.81 s (limit 10 per 60 s)"
    assert result.measured == {"sliding_log": 10, "sliding_counter": 20, "token_bucket": 10, "gcra": 10}


def test_every_sliding_limiter_a_fixed_window_fails_boundary_listing_each(ctx: DrillContext) -> None:
    fixed = rl.fixed_window
    result = checks.boundary.run(
        ctx, variant(rl, sliding_log=fixed, sliding_counter=fixed, token_bucket=fixed, gcra=fixed)
    )
    _fails(result, formulas.FIXED)
    assert result.message == ", ".join(
        f"{n} admitted 20 in 1.81 s (limit 10 per 60 s)" for n in checks.SLIDING
    )


def test_one_request_over_across_the_boundary_names_no_pitfall(ctx: DrillContext) -> None:
    result = checks.boundary.run(ctx, variant(rl, gcra=_tweaked("gcra", admit=[19])))
    _fails(result, NO_KNOWN_PITFALL)
    assert result.message == "gcra admitted 11 in 1.81 s (limit 10 per 60 s)"


def test_a_fixed_window_limiter_is_not_judged_by_boundary(ctx: DrillContext) -> None:
    result = checks.boundary.run(ctx, variant(rl, fixed_window=lambda *a: True))
    assert result.status == "pass" and "fixed_window" not in result.measured


# --- concurrency --------------------------------------------------------------------------------


def test_read_then_increment_fails_concurrent(ctx: DrillContext) -> None:
    result = checks.concurrent.run(ctx, READ_THEN_WRITE)
    _fails(result, checks.READ_THEN_INCREMENT)
    assert (
        result.message
        == "fixed_window admitted 16 of 32 (limit 10), sliding_log admitted 16 of 32 (limit 10)"
    )
    assert result.measured == {
        "fixed_window": 16,
        "sliding_log": 16,
        "sliding_counter": 10,
        "token_bucket": 10,
        "gcra": 10,
    }


def test_one_too_many_under_concurrency_fails_concurrent(ctx: DrillContext) -> None:
    wrong = variant(rl, fixed_window=_fixed_script(lambda count, limit: count <= limit + 1))
    result = checks.concurrent.run(ctx, wrong)
    _fails(result, checks.READ_THEN_INCREMENT)
    assert result.message == "fixed_window admitted 11 of 32 (limit 10)"


def test_too_few_under_concurrency_points_to_within_limit(ctx: DrillContext) -> None:
    wrong = variant(rl, fixed_window=_fixed_script(lambda count, limit: count < limit))
    result = checks.concurrent.run(ctx, wrong)
    _fails(result, "fewer than the limit admitted, with or without concurrency: see rate-limit.within_limit")
    assert result.message == "fixed_window admitted 9 of 32 (limit 10)"


def test_a_racy_sliding_log_alone_fails_concurrent_as_read_then_increment(ctx: DrillContext) -> None:
    """Its log holds every request it admitted (each member unique): the race, not colliding members."""
    result = checks.concurrent.run(ctx, variant(rl, sliding_log=rl.naive_sliding_log))
    _fails(result, checks.READ_THEN_INCREMENT)
    assert result.message == "sliding_log admitted 16 of 32 (limit 10)"


def test_a_sliding_log_without_a_sorted_set_is_not_told_its_members_collide(ctx: DrillContext) -> None:
    """A counter read then incremented, plugged in as the sliding log, keeps no sorted set: no members
    to collide (before the fix its pitfall was the colliding members)."""
    result = checks.concurrent.run(ctx, variant(rl, sliding_log=rl.naive_fixed_window))
    _fails(result, checks.READ_THEN_INCREMENT)
    assert result.message == "sliding_log admitted 16 of 32 (limit 10)"


def test_too_many_and_too_few_under_concurrency_name_no_pitfall(ctx: DrillContext) -> None:
    wrong = variant(
        rl,
        fixed_window=_fixed_script(lambda count, limit: count < limit),
        gcra=_fixed_script(lambda count, limit: count <= limit + 1),
    )
    result = checks.concurrent.run(ctx, wrong)
    _fails(result, NO_KNOWN_PITFALL)
    assert result.message == "fixed_window admitted 9 of 32 (limit 10), gcra admitted 11 of 32 (limit 10)"


# --- keys ---------------------------------------------------------------------------------------

KEY_PITFALLS = checks.KEY_PITFALLS


def test_a_counter_without_expiry_fails_keys(ctx: DrillContext) -> None:
    def no_expiry(r: Any, key: str, limit: int, window_ms: int, now_ms: int) -> bool:
        return int(r.incr(f"{key}:{now_ms // window_ms}")) <= limit

    result = checks.keys.run(ctx, variant(rl, fixed_window=no_expiry))
    _fails(result, KEY_PITFALLS["expiry"])
    assert result.message == "fixed_window has a key without expiry (PTTL -1; want 0 < PTTL <= 120000)"


def test_one_key_without_expiry_among_others_fails_keys(ctx: DrillContext) -> None:
    def bucket(r: Any, key: str, limit: int, window_ms: int, now_ms: int) -> bool:
        r.set(f"{key}:seen", now_ms)  # no expiry
        return rl.token_bucket(r, key, limit, window_ms, now_ms)

    result = checks.keys.run(ctx, variant(rl, token_bucket=bucket))
    _fails(result, KEY_PITFALLS["expiry"])
    assert result.message == "token_bucket has a key without expiry (PTTL -1; want 0 < PTTL <= 120000)"


def test_expire_given_milliseconds_fails_keys(ctx: DrillContext) -> None:
    def long(r: Any, key: str, limit: int, window_ms: int, now_ms: int) -> bool:
        counter = rl.window_key(key, window_ms, now_ms)
        ok = rl.fixed_window(r, key, limit, window_ms, now_ms)
        r.expire(counter, window_ms)
        return ok

    result = checks.keys.run(ctx, variant(rl, fixed_window=long))
    _fails(result, KEY_PITFALLS["long"])
    assert result.message.startswith("fixed_window has a key with PTTL ")
    assert 59_000_000 < int(result.message.split("PTTL ")[1].split()[0]) <= 60_000_000
    assert result.message.endswith(" (want 0 < PTTL <= 120000)")


def test_the_longest_ttl_is_the_one_reported(ctx: DrillContext) -> None:
    def bucket(r: Any, key: str, limit: int, window_ms: int, now_ms: int) -> bool:
        r.set(f"{key}:seen", now_ms, px=3 * window_ms)
        return rl.token_bucket(r, key, limit, window_ms, now_ms)

    result = checks.keys.run(ctx, variant(rl, token_bucket=bucket))
    _fails(result, KEY_PITFALLS["long"])
    pttl = int(result.message.split("PTTL ")[1].split()[0])
    assert 179_000 < pttl <= 180_000


def test_a_key_read_in_its_last_millisecond_still_has_an_expiry(
    ctx: DrillContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PTTL 0 (the server's reading in the millisecond a key expires) is an expiry, not none."""
    monkeypatch.setattr(ctx.r, "pttl", lambda key: 0)
    result = checks.keys.run(ctx, rl)
    # Every key then expires too soon for its state, but none is "without expiry".
    assert "without expiry" not in result.message
    assert result.message.count("keys expire within 0 ms") == len(checks.ALGORITHMS)


def test_a_key_read_at_exactly_two_windows_passes_keys_and_one_ms_more_fails(
    ctx: DrillContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bound is inclusive, as the message says (0 < PTTL <= 120000): PX 2 * window_ms read in the
    millisecond it was set."""
    monkeypatch.setattr(ctx.r, "pttl", lambda key: 2 * checks.WINDOW_MS)
    result = checks.keys.run(ctx, rl)
    assert (result.status, result.message) == ("pass", PASSING[checks.keys])
    monkeypatch.setattr(ctx.r, "pttl", lambda key: 2 * checks.WINDOW_MS + 1)
    result = checks.keys.run(ctx, rl)
    _fails(result, KEY_PITFALLS["long"])
    assert result.message.startswith("fixed_window has a key with PTTL 120001 (want 0 < PTTL <= 120000)")


def test_a_limiter_that_writes_no_key_fails_keys(ctx: DrillContext) -> None:
    result = checks.keys.run(ctx, variant(rl, gcra=_simulated(formulas.gcra)))
    _fails(result, KEY_PITFALLS["prefix"])
    assert result.message == "gcra wrote no key starting with its limiter key"


def test_keys_outside_the_limiter_key_fail_keys(ctx: DrillContext) -> None:
    def untagged(r: Any, key: str, limit: int, window_ms: int, now_ms: int) -> bool:
        base = key.replace("{", "").replace("}", "")
        current, previous = f"{base}:{now_ms // window_ms}", f"{base}:{now_ms // window_ms - 1}"
        return bool(r.eval(rl._SLIDING_COUNTER, 2, current, previous, limit, window_ms, now_ms))

    result = checks.keys.run(ctx, variant(rl, sliding_counter=untagged))
    _fails(result, KEY_PITFALLS["prefix"])
    assert result.message == "sliding_counter wrote no key starting with its limiter key"


def test_two_kinds_of_key_mistakes_name_no_single_pitfall(ctx: DrillContext) -> None:
    def no_expiry(r: Any, key: str, limit: int, window_ms: int, now_ms: int) -> bool:
        return int(r.incr(f"{key}:{now_ms // window_ms}")) <= limit

    result = checks.keys.run(ctx, variant(rl, fixed_window=no_expiry, gcra=_simulated(formulas.gcra)))
    _fails(result, NO_KNOWN_PITFALL)
    assert result.message == (
        "fixed_window has a key without expiry (PTTL -1; want 0 < PTTL <= 120000); "
        "gcra wrote no key starting with its limiter key"
    )


def test_the_same_key_mistake_twice_names_its_pitfall(ctx: DrillContext) -> None:
    def no_expiry(r: Any, key: str, limit: int, window_ms: int, now_ms: int) -> bool:
        return int(r.incr(f"{key}:{now_ms // window_ms}")) <= limit

    result = checks.keys.run(ctx, variant(rl, fixed_window=no_expiry, sliding_counter=no_expiry))
    _fails(result, KEY_PITFALLS["expiry"])


# --- round trips --------------------------------------------------------------------------------


def test_read_then_write_limiters_fail_one_round_trip(ctx: DrillContext) -> None:
    result = checks.one_round_trip.run(ctx, READ_THEN_WRITE)
    _fails(
        result,
        "a decision spread over several round trips is slower and, unless it is one script "
        "or one MULTI/EXEC, racy: " + checks.READ_THEN_INCREMENT,
    )
    assert result.message == "fixed_window took 2 round trips, sliding_log took 2 round trips"
    assert result.measured == {
        "trips_fixed_window": 2,
        "trips_sliding_log": 2,
        "trips_sliding_counter": 1,
        "trips_token_bucket": 1,
        "trips_gcra": 1,
    }


def test_a_decision_without_a_round_trip_fails_one_round_trip(ctx: DrillContext) -> None:
    result = checks.one_round_trip.run(ctx, variant(rl, gcra=_simulated(formulas.gcra)))
    assert (result.status, result.message) == ("fail", "gcra took 0 round trips")
    assert result.measured["trips_gcra"] == 0


def test_one_round_trip_asks_each_limiter_at_the_check_epoch(ctx: DrillContext) -> None:
    asked: list[tuple[int, int, int]] = []

    def gcra(r: Any, key: str, limit: int, window_ms: int, now_ms: int) -> bool:
        asked.append((limit, window_ms, now_ms))
        return rl.gcra(r, key, limit, window_ms, now_ms)

    checks.one_round_trip.run(ctx, variant(rl, gcra=gcra))
    assert asked == [(checks.LIMIT, checks.WINDOW_MS, checks.EPOCH_MS)]


# --- this session's corpus variants, graded in this process ---------------------------------------

_NEW_WRONG = {
    "bucket_no_cap": (checks.within_limit, checks.IDLE_BANKED),
    "counter_short_expiry": (checks.keys, checks.KEY_PITFALLS["short-sliding_counter"]),
    "bucket_short_expiry": (checks.keys, checks.KEY_PITFALLS["short-token_bucket"]),
    "log_member_collision": (checks.concurrent, checks.MEMBERS_COLLIDE),
    "count_as_text": (checks.within_limit, _pitfall("fixed_window", "count compared with the limit as text")),
    "window_from_seconds": (checks.within_limit, _pitfall("fixed_window", "window named from seconds")),
    "counter_previous_1ms": (checks.within_limit, _pitfall("sliding_counter", "sliding counter reading")),
    "gcra_stores_denied": (checks.steady, _pitfall("gcra", "GCRA that stores the new TAT")),
}


def _corpus_module(name: str) -> Any:
    return corpus_module("rate-limit", name)


@pytest.mark.parametrize("name", list(_NEW_WRONG))
def test_a_corpus_variant_fails_its_check_naming_its_pitfall_in_process(ctx: DrillContext, name: str) -> None:
    check, pitfall = _NEW_WRONG[name]
    _fails(check.run(ctx, _corpus_module(name)), pitfall)


def test_idle_banking_is_named_only_when_the_first_burst_was_right(ctx: DrillContext) -> None:
    uncapped = _simulated(lambda lim, w, t: formulas.token_bucket(10_000, w, t, refill_scale=1 / 1000))
    result = checks.within_limit.run(ctx, variant(rl, token_bucket=uncapped))
    assert result.message == "token_bucket admitted 15 (want 10)"  # the first burst says it all
    banked = _corpus_module("bucket_no_cap")
    result = checks.within_limit.run(ctx, banked)
    assert result.message == "token_bucket admitted 12 of 12 after 120 s of silence (want 10)"
    assert result.measured["token_bucket"] == 10


def test_idle_banking_next_to_another_mistake_names_no_single_pitfall(ctx: DrillContext) -> None:
    """The idle-banking pitfall is named only when banking is the only mistake."""
    half = _fixed_script(lambda count, limit: count <= limit // 2)
    result = checks.within_limit.run(ctx, variant(_corpus_module("bucket_no_cap"), fixed_window=half))
    _fails(result, NO_KNOWN_PITFALL)
    assert result.message == (
        "fixed_window admitted 5 (want 10); token_bucket admitted 12 of 12 after 120 s of silence (want 10)"
    )


@pytest.mark.parametrize("name", checks.ALGORITHMS)
def test_a_key_that_lives_exactly_as_long_as_its_state_passes_and_one_less_than_the_slack_fails(
    ctx: DrillContext, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """The lower bound is STATE_MATTERS_MS - STATE_SLACK_MS, for each algorithm on its own."""
    real = ctx.r.pttl
    floor = checks.STATE_MATTERS_MS[name] - checks.STATE_SLACK_MS

    def pttl_at(value: int) -> Any:
        def pttl(key: str) -> int:
            return value if f"keys-{name}-" in key else int(real(key))

        return pttl

    monkeypatch.setattr(ctx.r, "pttl", pttl_at(floor))
    assert checks.keys.run(ctx, rl).status == "pass"
    monkeypatch.setattr(ctx.r, "pttl", pttl_at(floor - 1))
    result = checks.keys.run(ctx, rl)
    _fails(result, checks.KEY_PITFALLS[f"short-{name}"])
    assert result.message == (
        f"{name}'s keys expire within {floor - 1} ms, while its state matters for "
        f"{checks.STATE_MATTERS_MS[name]} ms more"
    )
