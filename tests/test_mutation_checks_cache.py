"""The cache checks decide right: each wrong cache fails the check it breaks, naming its pitfall, and
the reference passes each check with the message a learner reads.

In this process, on the embedded backend (``make mutate`` sees a mutated check here); the wrong
caches are the reference with one function replaced, as a learner would write them.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
import re
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from mutation_support import embedded_ctx, load_variant  # noqa: F401 (the ctx fixture)
from mutation_support import fails as _fails
from test_practice_corpus import _header

from redisprep.drills.cache import checks, early_probe
from redisprep.drills.cache import reference as cache
from redisprep.drills.cache.database import StampedeDatabase
from redisprep.drills.cache.steps import NAIVE, PLAIN_TTL, SINGLE_FLIGHT_LOCK, XFETCH_NO_FLAG
from redisprep.drills.check_helpers import NO_KNOWN_PITFALL, variant
from redisprep.drills.context import DrillContext
from redisprep.drills.runner import operation_costs

Load = Callable[[], str]

NO_TTL = (
    "value cached without a TTL (SET without EX, or SET then EXPIRE in two steps): it is never "
    "refreshed and the key never goes away; use SET key value EX ttl"
)
EX_WITH_MS = "ttl_s given to EX as milliseconds (x1000): the value lives 1000 times too long"
PX_WITH_S = "ttl_s given to PX (milliseconds): the value expires 1000 times too soon; EX takes seconds"
LOAD_ON_MISS = "cache-aside: GET first and load only on a miss; cache what load() returned"
INVALIDATE_DELS = "invalidate must DEL the cached value (and any lease) so the next read reloads"
STALE_SET = (
    "stale set: a slow reader wrote the old value back after the writer's invalidation; "
    "fill only while a lease that the invalidation deletes is still yours"
)
LEASE_HELD = (
    "a failed load leaves the lease held: the next reader waits out its TTL; give the lease "
    "back when load() raises (try/except, then DEL the lease if it is still yours)"
)
PLAIN_TTL_PITFALL = (
    "plain TTL on a hot key: every reader arriving while it is recomputed misses and recomputes "
    "too; refresh early with probability rising towards expiry (XFetch)"
)
ROUND_TRIPS = (
    "extra round trips per cache operation multiply latency on every request; use one "
    "command or one Lua script"
)


def _untimed(message: str) -> str:
    """``message`` with the seconds the read after a failed load took (under 1 s) read as 0.0."""
    return re.sub(r"after 0\.\d s \(want", "after 0.0 s (want", message)


def _plain_read(**set_options: Any) -> Callable[[Any, str, Load, int], str]:
    """GET, and on a miss load and SET with ``set_options`` (a callable gets ttl_s)."""

    def read(r: Any, key: str, load: Load, ttl_s: int) -> str:
        value = r.get(key)
        if value is not None:
            return str(value)
        value = load()
        r.set(key, value, **{k: (v(ttl_s) if callable(v) else v) for k, v in set_options.items()})
        return str(value)

    return read


# --- the reference passes, with the message the learner reads ----------------------------------


PASSING = {
    checks.aside: "1 load for 2 reads, TTL 60 s, reloaded after expiry and after the write",
    checks.stampede: f"{checks.READERS} concurrent readers, 1 database load; {checks.READERS} got the value",
    checks.loader_fails: (
        "read raised LoaderDownError; cached afterwards: None (want None); the next read returned "
        "'price=5' after 0.0 s (want 'price=5' at once)"
    ),
    checks.stale_set: "the next read returned 'stock=4'; the database holds 'stock=4'",
    checks.early_refresh: "320 reads: 0 misses and 4 recomputes after warm-up, at most 1 at once",
    checks.round_trips: "a hit, invalidate, early_get and early_set took 1 round trip each; a miss took 2",
}


@pytest.mark.parametrize("check", list(PASSING), ids=lambda c: c.id)
def test_the_reference_passes_each_check_with_its_message(ctx: DrillContext, check: Any) -> None:
    result = check.run(ctx, cache)
    assert (result.status, _untimed(result.message), result.pitfall) == ("pass", PASSING[check], None)


def test_the_reference_measures_what_it_says(ctx: DrillContext) -> None:
    assert checks.aside.run(ctx, cache).measured == {"loads": 3, "ttl_s": 60}
    assert checks.stampede.run(ctx, cache).measured == {
        "loads": 1,
        "readers": checks.READERS,
        "served": checks.READERS,
        "timed_out": False,
    }
    assert checks.stale_set.run(ctx, cache).measured == {"stale_for_s": 0}
    assert checks.early_refresh.run(ctx, cache).measured == {
        "misses": 0,
        "recomputes": 4,
        "peak": 1,
        "periods": 1.88,
    }
    assert checks.round_trips.run(ctx, cache).measured == {
        "trips_miss": 2,
        "trips_hit": 1,
        "trips_invalidate": 1,
        "trips_early_set": 1,
        "trips_early_get": 1,
    }


def test_the_reference_reports_how_long_the_read_after_a_failure_waited(ctx: DrillContext) -> None:
    waited = checks.loader_fails.run(ctx, cache).measured["waited_s"]
    assert isinstance(waited, float) and 0 <= waited < 1.0
    assert round(waited, 2) == waited


def test_each_check_starts_from_an_empty_key_when_run_twice(ctx: DrillContext) -> None:
    """The second run of a check in one context must not find the first run's cached value."""
    for check in (checks.aside, checks.stale_set, checks.round_trips, checks.loader_fails):
        check.run(ctx, cache)
        assert _untimed(check.run(ctx, cache).message) == PASSING[check], check.id


def _spy(seen: list[str]) -> Any:
    """The reference, noting every key a check hands to it."""

    def noting(fn: Callable[..., Any]) -> Callable[..., Any]:
        def call(r: Any, key: str, *args: Any) -> Any:
            seen.append(key)
            return fn(r, key, *args)

        return call

    names = ("read", "invalidate", "early_get", "early_set")
    return variant(cache, **{n: noting(getattr(cache, n)) for n in names})


def test_every_key_a_check_hands_over_is_the_runs_and_shares_its_helpers_slot(ctx: DrillContext) -> None:
    """On a cluster the reference's scripts touch key and key:lease (or key:refresh) together."""
    from redis.crc import key_slot

    seen: list[str] = []
    for check in PASSING:
        assert check.run(ctx, _spy(seen)).status == "pass", check.id
    # one key per check, two for round_trips, two more for early_refresh's probe (a third only
    # when a refresh was not granted)
    assert len(set(seen)) == len(PASSING) + 1 + 2
    for key in seen:
        assert key.startswith(ctx.ns.prefix)
        slot = key_slot(key.encode())
        assert key_slot(cache.lease_key(key).encode()) == key_slot(cache.refresh_key(key).encode()) == slot


def test_the_round_trip_measurements_add_no_row_to_the_drills_cost_table(ctx: DrillContext) -> None:
    """The drill's cost table leaves out the checks' own measurements (labelled "check:...")."""
    checks.round_trips.run(ctx, cache)
    assert operation_costs(ctx.tracer) == ()


# --- cache-aside --------------------------------------------------------------------------------


def test_a_fill_without_a_ttl_fails_aside(ctx: DrillContext) -> None:
    result = checks.aside.run(ctx, variant(cache, read=_plain_read()))
    _fails(result, NO_TTL)
    assert result.message == "TTL of the cached key is -1 (want 1..60)"
    assert result.measured == {"loads": 3, "ttl_s": -1}


def test_ttl_s_given_to_ex_as_milliseconds_fails_aside(ctx: DrillContext) -> None:
    result = checks.aside.run(ctx, variant(cache, read=_plain_read(ex=lambda s: s * 1000)))
    _fails(result, EX_WITH_MS)
    assert result.message == "TTL of the cached key is 60000 (want 1..60)"


def test_a_ttl_one_second_too_long_fails_aside(ctx: DrillContext) -> None:
    result = checks.aside.run(ctx, variant(cache, read=_plain_read(ex=lambda s: s + 1)))
    _fails(result, EX_WITH_MS)
    assert result.message == "TTL of the cached key is 61 (want 1..60)"


def test_ttl_s_given_to_px_fails_aside(ctx: DrillContext) -> None:
    result = checks.aside.run(ctx, variant(cache, read=_plain_read(px=lambda s: s)))
    _fails(result, PX_WITH_S)
    assert result.measured["ttl_s"] in (0, -2)  # -2 if the 60 ms ran out before the check looked
    assert f"TTL of the cached key is {result.measured['ttl_s']} (want 1..60)" in result.message


def test_a_ttl_of_one_second_passes_aside(ctx: DrillContext) -> None:
    result = checks.aside.run(ctx, variant(cache, read=_plain_read(ex=1)))
    assert (result.status, result.message) == (
        "pass",
        "1 load for 2 reads, TTL 1 s, reloaded after expiry and after the write",
    )


def _load_every_time(r: Any, key: str, load: Load, ttl_s: int) -> str:
    value = load()  # never asks the cache first
    r.set(key, value, ex=ttl_s)
    return value


def test_a_read_that_loads_every_time_fails_aside_as_not_cache_aside(ctx: DrillContext) -> None:
    result = checks.aside.run(ctx, variant(cache, read=_load_every_time))
    _fails(result, LOAD_ON_MISS)
    assert result.message == (
        "first two reads returned 'price=10', 'price=10' with 2 loads (want 1); "
        "after the update and invalidate the read returned 'price=12' (4 loads in all)"
    )
    assert result.measured == {"loads": 4, "ttl_s": 60}


def test_a_read_that_never_caches_fails_aside_as_not_cache_aside(ctx: DrillContext) -> None:
    """Before the fix it was told "ttl_s given to PX": its key is missing (-2), as a value cached
    for 60 ms is by the time the check looks; but a PX value was still there for the hit."""
    result = checks.aside.run(ctx, variant(cache, read=lambda r, key, load, ttl_s: load()))
    _fails(result, LOAD_ON_MISS)
    assert result.message == (
        "first two reads returned 'price=10', 'price=10' with 2 loads (want 1); TTL of the cached key "
        "is -2 (want 1..60); after the update and invalidate the read returned 'price=12' (4 loads in all)"
    )
    assert result.measured == {"loads": 4, "ttl_s": -2}


def _slow_hit(r: Any, key: str, load: Load, ttl_s: int) -> str:
    """PX given 5 x ttl_s (300 ms), and a hit that takes longer than that to come back."""
    value = r.get(key)
    if value is None:
        value = load()
        r.set(key, value, px=ttl_s * 5)
        return str(value)
    time.sleep(0.35)
    return str(value)


def test_a_value_gone_between_the_hit_and_the_check_is_blamed_on_px(ctx: DrillContext) -> None:
    result = checks.aside.run(ctx, variant(cache, read=_slow_hit))
    _fails(result, PX_WITH_S)
    assert result.message == "TTL of the cached key is -2 (want 1..60)"
    assert result.measured == {"loads": 3, "ttl_s": -2}


@pytest.mark.parametrize(
    ("ttl", "pttl", "pitfall"),
    [(0, 1, PX_WITH_S), (1, 600, PX_WITH_S), (1, 601, LOAD_ON_MISS), (1, 660, LOAD_ON_MISS)],
)
def test_pttl_readings_at_the_bounds_of_the_px_mistake(
    ctx: DrillContext, monkeypatch: pytest.MonkeyPatch, ttl: int, pttl: int, pitfall: str
) -> None:
    """A read that loads every time, with the server's TTL and PTTL as read in one chosen
    millisecond: up to ttl_s x 10 ms left is the PX mistake, more is not."""
    monkeypatch.setattr(ctx.r, "ttl", lambda key: ttl)
    monkeypatch.setattr(ctx.r, "pttl", lambda key: pttl)
    _fails(checks.aside.run(ctx, variant(cache, read=_load_every_time)), pitfall)


def test_a_read_that_returns_another_value_on_a_hit_fails_aside(ctx: DrillContext) -> None:
    def read(r: Any, key: str, load: Load, ttl_s: int) -> str:
        hit = r.get(key)
        return cache.read(r, key, load, ttl_s) if hit is None else hit.upper()

    result = checks.aside.run(ctx, variant(cache, read=read))
    _fails(result, NO_KNOWN_PITFALL)
    assert result.message == "first two reads returned 'price=10', 'PRICE=10' with 1 loads (want 1)"


def test_an_invalidate_that_deletes_nothing_fails_aside(ctx: DrillContext) -> None:
    result = checks.aside.run(ctx, variant(cache, invalidate=lambda r, key: None))
    _fails(result, INVALIDATE_DELS)
    assert result.message == "after the update and invalidate the read returned 'price=10' (2 loads in all)"
    assert result.measured == {"loads": 2, "ttl_s": 60}


# --- stampede -----------------------------------------------------------------------------------


def test_plain_cache_aside_fails_stampede(ctx: DrillContext) -> None:
    result = checks.stampede.run(ctx, NAIVE)
    _fails(result, checks.NO_STAMPEDE_PROTECTION)
    n = checks.READERS
    assert result.message == f"{n} concurrent readers, {n} database loads; {n} got the value"
    assert result.measured == {"loads": n, "readers": n, "served": n, "timed_out": False}


def test_single_flight_that_serves_a_wrong_value_fails_stampede(ctx: DrillContext) -> None:
    """One load, so stampede protection works; before the fix the check blamed its absence."""
    wrong = variant(cache, read=lambda r, key, load, ttl_s: cache.read(r, key, load, ttl_s).upper())
    result = checks.stampede.run(ctx, wrong)
    _fails(result, NO_KNOWN_PITFALL)
    assert result.message == f"{checks.READERS} concurrent readers, 1 database load; 0 got the value"
    assert result.measured["served"] == 0


def test_one_reader_served_wrong_fails_stampede(ctx: DrillContext) -> None:
    """All but one reader get the value: one wrong answer is enough to fail."""
    served: list[str] = []

    def read(r: Any, key: str, load: Load, ttl_s: int) -> str:
        value = cache.read(r, key, load, ttl_s)
        served.append(value)
        return value if len(served) > 1 else "stale"

    result = checks.stampede.run(ctx, variant(cache, read=read))
    _fails(result, NO_KNOWN_PITFALL)
    assert result.measured["served"] == checks.READERS - 1


def test_a_reader_that_never_looks_again_is_reported_stuck(
    ctx: DrillContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Waiters that sleep past the database's patience: the load gives up waiting, and says so."""
    monkeypatch.setattr(checks, "StampedeDatabase", functools.partial(StampedeDatabase, timeout_s=0.1))

    def read(r: Any, key: str, load: Load, ttl_s: int) -> str:
        token = secrets.token_hex(8)
        status, _ = cache.lookup(r, key, token)
        if status == "lease":
            value = load()
            cache.fill(r, key, token, value, ttl_s)
            return value
        time.sleep(0.4)  # no second round trip until long after the load settled
        return cache.read(r, key, load, ttl_s)

    result = checks.stampede.run(ctx, variant(cache, read=read))
    n = checks.READERS
    assert result.message == (
        f"{n} concurrent readers, 1 database load; {n} got the value (a load gave up waiting for "
        "the other readers: one of them never looked again)"
    )
    assert result.measured["timed_out"] is True


# --- a failing load -----------------------------------------------------------------------------


def _down() -> str:
    raise checks.LoaderDownError("database down")


def test_a_read_that_swallows_the_failure_fails_loader_fails(ctx: DrillContext) -> None:
    def read(r: Any, key: str, load: Load, ttl_s: int) -> str | None:
        try:
            return cache.read(r, key, load, ttl_s)
        except Exception:  # noqa: BLE001 - the learner's mistake
            return None

    result = checks.loader_fails.run(ctx, variant(cache, read=read))
    _fails(
        result,
        "a failed load must raise to the caller, not be swallowed or cached: read returned None",
    )
    assert _untimed(result.message) == (
        "read returned None (want the error raised); cached afterwards: None (want None); "
        "the next read returned 'price=5' after 0.0 s (want 'price=5' at once)"
    )


def test_a_read_that_caches_a_fallback_fails_loader_fails(ctx: DrillContext) -> None:
    def read(r: Any, key: str, load: Load, ttl_s: int) -> str:
        def guarded() -> str:
            try:
                return load()
            except Exception:  # noqa: BLE001 - the learner's mistake
                return "unavailable"

        return cache.read(r, key, guarded, ttl_s)

    result = checks.loader_fails.run(ctx, variant(cache, read=read))
    assert result.status == "fail"
    assert result.pitfall == (
        "a failed load must raise to the caller, not be swallowed or cached: read returned 'unavailable'"
    )
    assert result.message.startswith(
        "read returned 'unavailable' (want the error raised); cached afterwards: 'unavailable' "
        "(want None); the next read returned 'unavailable' after "
    )


def test_a_read_that_caches_the_failure_and_raises_fails_loader_fails(ctx: DrillContext) -> None:
    def read(r: Any, key: str, load: Load, ttl_s: int) -> str:
        try:
            return cache.read(r, key, load, ttl_s)
        except Exception:
            r.set(key, "error", ex=ttl_s)
            raise

    result = checks.loader_fails.run(ctx, variant(cache, read=read))
    _fails(result, "a failed load must not be cached")
    assert result.message.startswith(
        "read raised LoaderDownError; cached afterwards: 'error' (want None); the next read returned "
        "'error' after "
    )


def _clock(monkeypatch: pytest.MonkeyPatch, start: float, end: float) -> None:
    """The check's clock reads ``start``, then ``end``, around the read after the failure."""
    monkeypatch.setattr(checks, "time", SimpleNamespace(monotonic=iter([start, end]).__next__))


def test_a_read_after_the_failure_that_takes_one_second_fails_loader_fails(
    ctx: DrillContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    _clock(monkeypatch, 100.0, 101.0)
    result = checks.loader_fails.run(ctx, cache)
    _fails(result, LEASE_HELD)
    assert result.message.endswith("the next read returned 'price=5' after 1.0 s (want 'price=5' at once)")
    assert result.measured == {"waited_s": 1.0}


def test_the_wait_after_the_failure_is_reported_to_the_hundredth(
    ctx: DrillContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    _clock(monkeypatch, 100.0, 100.0125)
    result = checks.loader_fails.run(ctx, cache)
    assert (result.status, result.measured) == ("pass", {"waited_s": 0.01})


def _keeps_lease(lease_ms: int, waits: bool) -> Callable[[Any, str, Load, int], str | None]:
    """The reference read without its except branch, with its own lease; ``waits`` False: a reader
    that finds someone else's lease gives up at once and returns None."""

    def read(r: Any, key: str, load: Load, ttl_s: int) -> str | None:
        token = secrets.token_hex(8)
        while True:
            reply = r.eval(cache._LOOKUP, 2, key, cache.lease_key(key), token, lease_ms)
            if reply[0] == "hit":
                return str(reply[1])
            if reply[0] == "lease":
                value = load()
                cache.fill(r, key, token, value, ttl_s)
                return value
            if not waits:
                return None
            time.sleep(0.01)

    return read


def test_a_lease_kept_after_a_failed_load_makes_the_next_read_wait(ctx: DrillContext) -> None:
    result = checks.loader_fails.run(ctx, variant(cache, read=_keeps_lease(1_100, waits=True)))
    _fails(result, LEASE_HELD)
    waited = float(result.measured["waited_s"] or 0)
    assert waited >= 1.0 and round(waited, 2) == waited
    assert result.message == (
        "read raised LoaderDownError; cached afterwards: None (want None); the next read returned "
        f"'price=5' after {waited:.1f} s (want 'price=5' at once)"
    )


def test_a_lease_kept_after_a_failed_load_and_a_reader_that_gives_up_fail_loader_fails(
    ctx: DrillContext,
) -> None:
    result = checks.loader_fails.run(ctx, variant(cache, read=_keeps_lease(60_000, waits=False)))
    _fails(result, LEASE_HELD)
    assert _untimed(result.message).endswith(
        "the next read returned None after 0.0 s (want 'price=5' at once)"
    )


# --- stale set ----------------------------------------------------------------------------------


@pytest.mark.parametrize("impl", [NAIVE, SINGLE_FLIGHT_LOCK], ids=["plain", "lock without lease"])
def test_a_fill_that_ignores_the_invalidation_fails_stale_set(ctx: DrillContext, impl: Any) -> None:
    result = checks.stale_set.run(ctx, impl)
    _fails(result, STALE_SET)
    assert result.message == (
        "the next read returned 'stock=5'; the database holds 'stock=4': stale for the next 60 s "
        "(the whole TTL)"
    )
    assert result.measured == {"stale_for_s": 60}


def test_an_invalidate_that_keeps_the_lease_fails_stale_set(ctx: DrillContext) -> None:
    result = checks.stale_set.run(ctx, variant(cache, invalidate=lambda r, key: r.delete(key)))
    _fails(result, STALE_SET)
    assert result.measured == {"stale_for_s": 60}


def test_a_read_that_returns_another_value_fails_stale_set_with_no_known_pitfall(ctx: DrillContext) -> None:
    """Not the old value written back: before the fix the check blamed a stale set."""
    wrong = variant(cache, read=lambda r, key, load, ttl_s: cache.read(r, key, load, ttl_s).upper())
    result = checks.stale_set.run(ctx, wrong)
    _fails(result, NO_KNOWN_PITFALL)
    assert result.message.startswith("the next read returned 'STOCK=4'; the database holds 'stock=4'")


def test_two_loads_of_a_cold_key_are_already_a_stampede(ctx: DrillContext) -> None:
    readers = itertools.count()

    def read(r: Any, key: str, load: Load, ttl_s: int) -> str:
        if next(readers) == 0:  # the first reader loads, whatever the cache says
            return load()
        return cache.read(r, key, load, ttl_s)

    result = checks.stampede.run(ctx, variant(cache, read=read))
    _fails(result, checks.NO_STAMPEDE_PROTECTION)
    assert result.measured["loads"] == 2


# --- early refresh ------------------------------------------------------------------------------


def test_a_plain_ttl_fails_early_refresh_with_misses(ctx: DrillContext) -> None:
    result = checks.early_refresh.run(ctx, PLAIN_TTL)
    _fails(result, PLAIN_TTL_PITFALL)
    assert result.message == (
        "320 reads: 20 misses and 20 recomputes after warm-up, at most 20 at once; not told to "
        "recompute 1.5 s before expiry where the gap is 2 s (nor 0.7 s before)"
    )
    assert result.measured == {"misses": 20, "recomputes": 20, "peak": 20, "periods": 1.88}


def test_early_refresh_without_a_flag_fails_with_overlapping_recomputes(ctx: DrillContext) -> None:
    result = checks.early_refresh.run(ctx, XFETCH_NO_FLAG)
    _fails(
        result,
        "early refresh without an in-progress flag: several readers recompute at once; let the "
        "one that wins SET NX do it",
    )
    assert result.message == (
        "320 reads: 0 misses and 5 recomputes after warm-up, at most 7 at once; the next caller, "
        "50 ms later, was told to recompute as well"
    )


def _second_recompute(before: float = float("inf")) -> Callable[..., tuple[str | None, bool]]:
    """The reference's early_get, but the next caller after a refresh winner (while ``now`` is under
    ``before``) is told to recompute as well."""
    winners: dict[str, int] = {}

    def early_get(r: Any, key: str, now: float, u: float, beta: float) -> tuple[str | None, bool]:
        value, mine = cache.early_get(r, key, now, u, beta)
        if mine:
            winners[key] = 1
        elif now < before and winners.get(key) == 1 and r.exists(cache.refresh_key(key)):
            winners[key] = 2
            return value, True  # a second caller recomputes as well
        return value, mine

    return early_get


def test_two_recomputes_at_once_are_one_too_many(ctx: DrillContext) -> None:
    """The flag taken by the first two callers of each refresh: at most 2 at once fails."""
    early_get = _second_recompute()

    result = checks.early_refresh.run(ctx, variant(cache, early_get=early_get))
    assert result.status == "fail"
    assert (result.measured["misses"], result.measured["peak"]) == (0, 2)


def test_one_miss_after_warm_up_fails_early_refresh(ctx: DrillContext) -> None:
    missed: list[float] = []

    def early_get(r: Any, key: str, now: float, u: float, beta: float) -> tuple[str | None, bool]:
        value, mine = cache.early_get(r, key, now, u, beta)
        if value is not None and not missed and now > 10:
            missed.append(now)
            return None, False  # one reader is told the key is missing
        return value, mine

    result = checks.early_refresh.run(ctx, variant(cache, early_get=early_get))
    _fails(result, PLAIN_TTL_PITFALL)
    assert (result.measured["misses"], result.measured["peak"]) == (1, 1)


def _take_flag(r: Any, key: str) -> bool:
    """The reference's refresh flag, SET NX PX: True for the one caller that gets it."""
    return bool(r.set(cache.refresh_key(key), "1", nx=True, px=cache.REFRESH_FLAG_MS))


def _json_entries(*, relative: bool = False) -> Any:
    """XFetch with each entry stored as one JSON string (value, delta, expiry) instead of a hash; with
    ``relative``, the expiry stored as ttl_s (the relative-expiry mistake)."""

    def early_set(r: Any, key: str, value: str, delta_s: float, ttl_s: float, now: float) -> None:
        entry = {"value": value, "delta": delta_s, "expiry": ttl_s if relative else now + ttl_s}
        r.set(key, json.dumps(entry), px=int(ttl_s * 1000))
        r.delete(cache.refresh_key(key))

    def early_get(r: Any, key: str, now: float, u: float, beta: float) -> tuple[str | None, bool]:
        raw = r.get(key)
        entry = json.loads(raw) if raw is not None else None
        if entry is None or now >= entry["expiry"]:
            return None, _take_flag(r, key)
        if now - entry["delta"] * beta * math.log(u) < entry["expiry"]:
            return entry["value"], False
        return entry["value"], _take_flag(r, key)

    return variant(cache, early_set=early_set, early_get=early_get)


def test_a_relative_expiry_stored_in_a_json_string_is_named(ctx: DrillContext) -> None:
    """The probe finds the stored ttl_s among the numbers of a string entry as well as a hash's."""
    result = checks.early_refresh.run(ctx, _json_entries(relative=True))
    _fails(result, early_probe.RELATIVE_EXPIRY)
    assert result.message.endswith("; a value stored at now=1000 for 600 s was a miss at now=1001")


def test_the_reference_passes_early_refresh_after_another_cache_ran_it_in_the_same_context(
    ctx: DrillContext,
) -> None:
    """As the drill's steps run a wrong cache and then the reference in one context: the probe starts
    from empty keys, not from the JSON strings the other cache left (which HMGET cannot read)."""
    assert checks.early_refresh.run(ctx, _json_entries()).status == "pass"
    result = checks.early_refresh.run(ctx, cache)
    assert (result.status, result.message) == ("pass", PASSING[checks.early_refresh])


def test_a_miss_after_a_right_expiry_is_not_blamed_on_a_relative_expiry(ctx: DrillContext) -> None:
    """early_set stores now + ttl_s as the expiry (and ttl_s beside it), but early_get compares the
    clock with the ttl: the miss is the read's mistake, not a relative expiry."""

    def early_set(r: Any, key: str, value: str, delta_s: float, ttl_s: float, now: float) -> None:
        cache.early_set(r, key, value, delta_s, ttl_s, now)
        r.hset(key, "ttl", repr(ttl_s))

    def early_get(r: Any, key: str, now: float, u: float, beta: float) -> tuple[str | None, bool]:
        ttl = r.hget(key, "ttl")
        if ttl is not None and now >= float(ttl):  # the ttl read as the expiry
            return None, _take_flag(r, key)
        return cache.early_get(r, key, now, u, beta)

    result = checks.early_refresh.run(ctx, variant(cache, early_set=early_set, early_get=early_get))
    _fails(result, NO_KNOWN_PITFALL)
    assert result.message.endswith("; a value stored at now=1000 for 600 s was a miss at now=1001")


def test_a_recompute_on_every_hit_is_not_blamed_on_delta_in_milliseconds(ctx: DrillContext) -> None:
    """XFetch's comparison turned round (recompute while the gap does not reach expiry): told to
    recompute 599 s early whatever the gap, which a gap 1000 times too big would not be."""

    def early_get(r: Any, key: str, now: float, u: float, beta: float) -> tuple[str | None, bool]:
        value, delta, expiry = r.hmget(key, "value", "delta", "expiry")
        if value is None or now >= float(expiry):
            return None, _take_flag(r, key)
        if now - float(delta) * beta * math.log(u) >= float(expiry):  # turned round
            return str(value), False
        return str(value), _take_flag(r, key)

    result = checks.early_refresh.run(ctx, variant(cache, early_get=early_get))
    _fails(result, NO_KNOWN_PITFALL)
    assert result.message.endswith("; told to recompute 599 s before expiry where the gap is 2 s")


def test_a_refresh_flag_held_on_the_callers_clock_for_delta_passes_early_refresh(ctx: DrillContext) -> None:
    """The flag holds the time until which a recompute runs (now + delta, on the injected clock)
    instead of a PX: the caller 50 ms after the winner is refused, so nothing is wrong."""

    def early_get(r: Any, key: str, now: float, u: float, beta: float) -> tuple[str | None, bool]:
        value, delta, expiry = r.hmget(key, "value", "delta", "expiry")
        fresh = value is not None and now < float(expiry)
        if fresh and now - float(delta) * beta * math.log(u) < float(expiry):
            return str(value), False
        served = str(value) if fresh else None
        busy_until = r.get(cache.refresh_key(key))
        if busy_until is not None and now < float(busy_until):
            return served, False
        until = now + float(delta or 1.0)
        r.set(cache.refresh_key(key), repr(until), px=cache.REFRESH_FLAG_MS)
        return served, True

    result = checks.early_refresh.run(ctx, variant(cache, early_get=early_get))
    assert (result.status, result.message) == ("pass", PASSING[checks.early_refresh])


def test_a_ttl_read_in_its_last_millisecond_is_still_seconds_given_to_pexpire(
    ctx: DrillContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PEXPIRE 600 (ttl_s as ms) read as PTTL 0, the reading in the millisecond the key expires."""
    monkeypatch.setattr(ctx.r, "pttl", lambda key: 0)
    result = checks.early_refresh.run(ctx, load_variant(WRONG[0].with_name("pexpire_seconds.py")))
    _fails(result, early_probe.SECONDS_AS_MS)
    assert "; PTTL after early_set(ttl_s=600) is 0 ms (want about 600000)" in result.message


# --- round trips --------------------------------------------------------------------------------


def test_a_miss_in_three_round_trips_fails_round_trips(ctx: DrillContext) -> None:
    def read(r: Any, key: str, load: Load, ttl_s: int) -> str:
        value = r.get(key)
        if value is None:
            value = load()
            r.set(key, value)
            r.expire(key, ttl_s)  # SET then EXPIRE: a third round trip
        return str(value)

    result = checks.round_trips.run(ctx, variant(cache, read=read))
    _fails(result, ROUND_TRIPS)
    assert result.message == "miss took 3 round trips"
    assert result.measured["trips_miss"] == 3 and result.measured["trips_hit"] == 1


def test_plain_cache_aside_misses_in_two_round_trips(ctx: DrillContext) -> None:
    result = checks.round_trips.run(ctx, NAIVE)
    assert (result.status, result.measured["trips_miss"]) == ("pass", 2)


def test_a_read_that_loads_every_time_is_judged_on_round_trips_alone(ctx: DrillContext) -> None:
    """It loads on a hit too (aside fails it), but each call is one SET: round_trips passes it."""
    result = checks.round_trips.run(ctx, variant(cache, read=_load_every_time))
    assert (result.status, result.measured["trips_miss"], result.measured["trips_hit"]) == ("pass", 1, 1)


_SLIDING = """
local value = redis.call('GET', KEYS[1])
if value then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return value
"""


def _sliding_ttl(r: Any, key: str, load: Load, ttl_s: int) -> str:
    """A hit renews the TTL in the same script (sliding expiry): still one round trip."""
    value = r.eval(_SLIDING, 1, key, ttl_s)
    if value is None:
        value = load()
        r.set(key, value, ex=ttl_s)
    return str(value)


def test_a_sliding_ttl_read_takes_one_round_trip_per_hit(ctx: DrillContext) -> None:
    result = checks.round_trips.run(ctx, variant(cache, read=_sliding_ttl))
    assert (result.status, result.measured["trips_hit"]) == ("pass", 1)


def test_every_cache_operation_off_its_one_round_trip_is_listed(ctx: DrillContext) -> None:
    def invalidate(r: Any, key: str) -> None:
        r.delete(key)
        r.delete(cache.lease_key(key))

    def early_get(r: Any, key: str, now: float, u: float, beta: float) -> tuple[str | None, bool]:
        return None, False  # asks nothing

    def read(r: Any, key: str, load: Load, ttl_s: int) -> str:
        r.exists(key)  # a hit costs a second round trip
        return cache.read(r, key, load, ttl_s)

    wrong = variant(cache, invalidate=invalidate, early_set=lambda *a: None, early_get=early_get, read=read)
    result = checks.round_trips.run(ctx, wrong)
    _fails(result, ROUND_TRIPS)
    assert result.message == (
        "hit took 2 round trips, invalidate took 2 round trips, early_set took 0 round trips, "
        "early_get took 0 round trips, miss took 3 round trips"
    )
    assert result.measured == {
        "trips_miss": 3,
        "trips_hit": 2,
        "trips_invalidate": 2,
        "trips_early_set": 0,
        "trips_early_get": 0,
    }


# --- the corpus's wrong caches, in this process ---------------------------------------------------

WRONG = sorted((Path(__file__).resolve().parent.parent / "drills" / "cache" / "wrong").glob("*.py"))


@pytest.mark.parametrize("path", WRONG, ids=lambda p: p.stem)
def test_each_wrong_cache_of_the_corpus_fails_its_check_naming_its_pitfall(
    ctx: DrillContext, path: Path
) -> None:
    pitfall, check_id = _header(path)
    (check,) = [c for c in checks.CHECKS if c.id == check_id]
    result = check.run(ctx, load_variant(path))
    assert result.status == "fail", result.message
    assert (result.pitfall or "").lower().startswith(pitfall.lower()), result.pitfall


def test_a_lease_without_expiry_is_named_in_the_message(ctx: DrillContext) -> None:
    result = checks.loader_fails.run(ctx, load_variant(WRONG[0].with_name("lease_without_expiry.py")))
    assert _untimed(result.message) == (
        "read raised LoaderDownError; cached afterwards: None (want None); the next read returned "
        "'price=5' after 0.0 s (want 'price=5' at once); ':lease' had no TTL while the load ran (want PX)"
    )
    assert result.pitfall == checks.LEASE_WITHOUT_EXPIRY


def test_waiters_that_give_up_are_counted(ctx: DrillContext) -> None:
    result = checks.stampede.run(ctx, load_variant(WRONG[0].with_name("waiters_give_up.py")))
    n = checks.READERS
    assert result.message == (
        f"{n} concurrent readers, {n} database loads; {n} got the value ({n - 1} loaded after polling: "
        "they stopped waiting for the first load)"
    )
    assert result.pitfall == checks.WAITERS_GIVE_UP


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("pexpire_seconds", "PTTL after early_set(ttl_s=600) is"),
        ("serves_expired", "early_get 0.5 s after expiry returned 'a1' (want None)"),
        ("keeps_flag", "after early_set, an expired entry was not handed to anyone to recompute"),
        ("relative_expiry", "a value stored at now=1000 for 600 s was a miss at now=1001"),
        ("delta_in_ms", "told to recompute 599 s before expiry where the gap is 2 s"),
        ("winner_gets_none", "the caller told to recompute got None (want the value)"),
        ("flag_on_hit", "not told to recompute 1.5 s before expiry where the gap is 2 s (after a hit)"),
        ("log10_gap", "not told to recompute 1.5 s before expiry where the gap is 2 s (only 0.7 s before)"),
        ("never_early", "not told to recompute 1.5 s before expiry where the gap is 2 s (nor 0.7 s before)"),
    ],
)
def test_the_early_refresh_probe_says_what_it_saw(ctx: DrillContext, name: str, problem: str) -> None:
    result = checks.early_refresh.run(ctx, load_variant(WRONG[0].with_name(f"{name}.py")))
    assert result.status == "fail"
    assert result.message.split("; ", 1)[1].startswith(problem), result.message


def test_the_one_load_of_a_reader_that_polled_first_is_not_giving_up(ctx: DrillContext) -> None:
    def read(r: Any, key: str, load: Load, ttl_s: int) -> str:
        r.ping()  # two round trips before the reference's first: the winner loads after its third
        r.ping()
        return cache.read(r, key, load, ttl_s)

    result = checks.stampede.run(ctx, variant(cache, read=read))
    assert result.status == "pass", result.message
    assert result.measured["loads"] == 1


def test_two_recomputes_at_once_in_the_replay_alone_name_the_missing_flag(ctx: DrillContext) -> None:
    """A second recompute only on the replay's clock (< 100 s): the probe sees nothing wrong."""
    early_get = _second_recompute(before=100)

    result = checks.early_refresh.run(ctx, variant(cache, early_get=early_get))
    _fails(result, early_probe.NO_FLAG)
    assert (result.measured["misses"], result.measured["peak"]) == (0, 2)
    assert "; " not in result.message  # the probe found nothing
