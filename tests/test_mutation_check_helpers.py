"""The helpers every check decides with: verdicts, unusable results, variants, lockstep workers and
round-trip counting (each as a check written by a drill author would meet it)."""

from __future__ import annotations

from types import ModuleType, SimpleNamespace
from typing import Any

import pytest
from mutation_support import embedded_ctx  # noqa: F401 (the ctx fixture)

from redisprep.drills.check_helpers import (
    NO_KNOWN_PITFALL,
    UnusableResultError,
    Verdict,
    check,
    in_lockstep,
    pairs,
    round_trips_of,
    variant,
    verdict,
)
from redisprep.drills.context import DrillContext
from redisprep.drills.interleave import LockstepAbortedError


def test_verdict_keeps_what_the_check_decided() -> None:
    assert verdict(False, "3 lost", pitfall="read-modify-write", lost=3, ok=False) == Verdict(
        False, "3 lost", "read-modify-write", {"lost": 3, "ok": False}
    )
    assert verdict(True, "fine") == Verdict(True, "fine", None, {})


# --- @check: a verdict becomes a result ---------------------------------------------------------


def test_a_declared_check_carries_its_id_title_and_feature() -> None:
    @check("demo.count", "counts things", feature="sintercard")
    def counts(ctx: Any, impl: Any) -> Verdict:
        return verdict(True, "ok")

    assert (counts.id, counts.title, counts.feature) == ("demo.count", "counts things", "sintercard")
    plain = check("demo.plain", "plain")(lambda ctx, impl: verdict(True, "ok"))
    assert plain.feature is None


def test_a_passing_check_names_no_pitfall_even_if_its_verdict_had_one() -> None:
    @check("demo.top", "the top player")
    def top(ctx: Any, impl: Any) -> Verdict:
        got = impl.top(ctx.board)
        return verdict(got == "alice", f"got {got}", pitfall="ascending order", k=1)

    ctx = SimpleNamespace(board="lb:top")
    passed = top.run(ctx, variant(ModuleType("m"), top=lambda board: "alice" if board == "lb:top" else "?"))
    assert (passed.id, passed.title, passed.status, passed.message) == (
        "demo.top",
        "the top player",
        "pass",
        "got alice",
    )
    assert passed.pitfall is None and passed.measured == {"k": 1}
    failed = top.run(ctx, variant(ModuleType("m"), top=lambda board: "zed"))
    assert (failed.status, failed.message, failed.pitfall) == ("fail", "got zed", "ascending order")


def test_an_unusable_result_is_a_failed_check_with_its_pitfall_or_none_known() -> None:
    @check("demo.pairs", "pairs")
    def reads_pairs(ctx: Any, impl: Any) -> Verdict:
        raise UnusableResultError("top", impl.value, "pairs", pitfall=impl.pitfall)

    with_pitfall = reads_pairs.run(None, variant(ModuleType("m"), value=7, pitfall="numbers as text"))  # type: ignore[arg-type]
    assert (with_pitfall.status, with_pitfall.message) == ("fail", "top returned 7; want pairs")
    assert with_pitfall.pitfall == "numbers as text"
    without = reads_pairs.run(None, variant(ModuleType("m"), value=7, pitfall=None))  # type: ignore[arg-type]
    assert without.pitfall == NO_KNOWN_PITFALL


def test_an_unusable_result_keeps_what_was_returned_and_shortens_a_long_one() -> None:
    error = UnusableResultError("top", "x" * 118, "pairs", pitfall="p")  # repr: 120 characters
    assert (error.function, error.got, error.want, error.pitfall) == ("top", "x" * 118, "pairs", "p")
    assert str(error) == f"top returned '{'x' * 118}'; want pairs"
    long = UnusableResultError("top", "x" * 119, "pairs")  # repr: 121 characters
    assert str(long) == f"top returned '{'x' * 116}...; want pairs"
    assert long.pitfall is None


def test_pairs_are_strings_and_floats_or_an_unusable_result_naming_the_function() -> None:
    assert pairs([("a", "1.5"), (7, 2)], "top") == [("a", 1.5), ("7", 2.0)]
    with pytest.raises(
        UnusableResultError, match=r"^top returned None; want a list of \(member, number\) pairs$"
    ):
        pairs(None, "top")
    with pytest.raises(UnusableResultError, match=r"^around returned \[\('a', 'high'\)\]; want scores$"):
        pairs([("a", "high")], "around", "scores")


def test_a_variant_replaces_some_public_functions_and_keeps_the_others() -> None:
    base = ModuleType("base")
    base.top = lambda: "top"  # type: ignore[attr-defined]
    base.rank = lambda: "rank"  # type: ignore[attr-defined]
    base._helper = lambda: "private"  # type: ignore[attr-defined]
    naive = variant(base, rank=lambda: "naive rank")
    assert (naive.top(), naive.rank()) == ("top", "naive rank")
    assert not hasattr(naive, "_helper")


# --- lockstep workers ---------------------------------------------------------------------------


def test_lockstep_workers_with_different_amounts_of_work_all_finish(ctx: DrillContext) -> None:
    key = ctx.key("lockstep", "n")

    def work(i: int, client: Any) -> int:
        for _ in range(i + 1):  # worker 0 leaves after one command, worker 2 sends three
            client.incr(key)
        return i

    assert in_lockstep(ctx, 3, work) == [0, 1, 2]
    assert int(ctx.r.get(key)) == 6


def test_a_failing_lockstep_worker_stops_the_others_at_once(ctx: DrillContext) -> None:
    key = ctx.key("lockstep", "fail")
    stopped: dict[int, type[BaseException]] = {}

    def work(i: int, client: Any) -> None:
        try:
            client.incr(key)
            if i == 0:
                raise ValueError("worker 0 broke")
            for _ in range(5):
                client.incr(key)
        except BaseException as exc:
            stopped[i] = type(exc)
            raise

    with pytest.raises(ValueError, match="worker 0 broke"):
        in_lockstep(ctx, 3, work)
    assert stopped == {0: ValueError, 1: LockstepAbortedError, 2: LockstepAbortedError}


# --- round trips ------------------------------------------------------------------------------


def test_round_trips_count_each_command_and_a_pipeline_once(ctx: DrillContext) -> None:
    key = ctx.key("trips", "k")

    def two() -> Any:
        ctx.r.set(key, 1)
        return ctx.r.get(key)

    def piped() -> Any:
        with ctx.r.pipeline() as pipe:
            return pipe.incr(key).incr(key).execute()

    assert round_trips_of(ctx, "two", two) == ("1", 2)
    assert round_trips_of(ctx, "piped", piped) == ([2, 3], 1)
    assert round_trips_of(ctx, "none", lambda: "cached") == ("cached", 0)
    assert {c.operation for c in ctx.tracer.commands} >= {"two", "piped"}


def test_asking_whether_a_script_is_cached_is_not_counted(ctx: DrillContext) -> None:
    key = ctx.key("trips", "script")

    def checked_then_read() -> Any:
        ctx.r.script_exists("0" * 40)
        return ctx.r.get(key)

    assert round_trips_of(ctx, "exists", checked_then_read) == (None, 1)
    names = [c.name for c in ctx.tracer.commands if c.operation == "exists"]
    assert names == ["SCRIPT EXISTS", "GET"]


def test_the_same_operation_measured_twice_counts_only_its_own_round_trips(ctx: DrillContext) -> None:
    key = ctx.key("trips", "again")
    assert round_trips_of(ctx, "read", lambda: ctx.r.get(key)) == (None, 1)
    assert round_trips_of(ctx, "read", lambda: ctx.r.get(key)) == (None, 1)


def test_a_pipeline_that_also_asks_about_a_script_is_one_round_trip_of_work(ctx: DrillContext) -> None:
    key = ctx.key("trips", "mixed")

    def read_and_ask() -> Any:
        with ctx.r.pipeline(transaction=False) as pipe:
            pipe.get(key)
            pipe.script_exists("0" * 40)
            return pipe.execute()

    assert round_trips_of(ctx, "mixed", read_and_ask) == ([None, [False]], 1)
