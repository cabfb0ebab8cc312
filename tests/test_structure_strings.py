"""The strings drill: counters, claim-once keys and bitmaps behave as narrated on both backends."""

from __future__ import annotations

from redisprep.backends import Backend
from redisprep.drills.context import DrillContext
from redisprep.drills.strings import checks
from redisprep.drills.strings import reference as st
from redisprep.drills.strings.steps import NAIVE
from redisprep.release import Release


def test_get_then_set_counter_keeps_one_increment_per_round(ctx: DrillContext) -> None:
    result = checks.concurrent_count.run(ctx, NAIVE)
    assert not result.passed
    assert result.measured["final"] == checks.ROUNDS
    assert "INCR" in (result.pitfall or "")


def test_check_then_set_lets_every_caller_claim(ctx: DrillContext) -> None:
    result = checks.claim_once.run(ctx, NAIVE)
    assert not result.passed
    assert result.measured["winners"] == checks.WORKERS


def test_claim_sets_value_and_expiry_in_one_command(ctx: DrillContext) -> None:
    key = ctx.key("claim")
    assert st.claim(ctx.r, key, "a", 10) is True
    assert st.claim(ctx.r, key, "b", 10) is False
    assert ctx.r.get(key) == "a"
    assert 0 < ctx.r.ttl(key) <= 10
    commands = [c.name for c in ctx.tracer.commands if c.args[1:2] == (key,)]
    assert commands[:2] == ["SET", "SET"]


def test_bitmap_grows_with_the_highest_id_not_the_visits(ctx: DrillContext) -> None:
    day = ctx.key("dau")
    for _ in range(3):
        st.mark_active(ctx.r, day, 7)
    st.mark_active(ctx.r, day, 79_999)
    assert st.active_count(ctx.r, day) == 2
    assert ctx.r.strlen(day) == 10_000


def test_drill_shows_string_encodings(backend: Backend) -> None:
    from redisprep.drills import run_drill

    report = run_drill("strings", backend, seed=1)
    table = next(f for s in report.steps for f in s.outcome.figures if f.title == "internal encoding")
    encodings = {row[0]: row[2] for row in table.rows}
    assert encodings['"12345" (SET)'] == "int"
    step = next(s.outcome for s in report.steps if s.outcome.figures and s.outcome.figures[0] is table)
    if backend.release.at_least(Release.parse("valkey-8.0")):
        # Valkey 8 keeps the key in the value's 64 bytes: with this run's keys (about 40 bytes)
        # not even 3 bytes fit (value + key <= 41, measured on 8.1.8), and the drill says so.
        assert encodings['"007" (not canonical)'] == encodings["44-byte text"] == "raw"
        assert "also keeps the key in that allocation" in " ".join(step.narration)
    else:
        assert encodings['"007" (not canonical)'] == encodings["44-byte text"] == "embstr"
        assert "also keeps the key" not in " ".join(step.narration)
    assert encodings["45-byte text"] == "raw"
    assert encodings["bitmap after SETBIT"] == "raw"
    assert {row[3] for row in table.rows} == {"modelled" if backend.is_simulated else "read"}


def test_bitmap_table_shows_the_days_its_check_recorded(backend: Backend) -> None:
    from redisprep.drills import run_drill

    report = run_drill("strings", backend, seed=1)
    step = next(s.outcome for s in report.steps if s.title.startswith("Bitmaps"))
    (result,) = step.checks
    rows = {row[0]: row for row in step.figures[0].rows}
    assert rows["monday"][1] == rows["tuesday"][1] == checks.DAY_VISITS
    assert rows["monday"][2] == result.measured["distinct_mon"]
    assert rows["tuesday"][2] == result.measured["distinct_tue"]
    assert rows["both (BITOP AND)"][2] == result.measured["both"]
    assert f"{result.measured['both']} of them active on both days" in " ".join(step.narration)
