"""The hashes drill: field updates, HINCRBY and field expiry (detected, never assumed)."""

from __future__ import annotations

from server_facts import compact

from redisprep.backends import Backend
from redisprep.drills import run_drill
from redisprep.drills.context import DrillContext
from redisprep.drills.hashes import checks
from redisprep.drills.hashes.steps import NAIVE


def test_json_string_object_loses_concurrent_field_updates(ctx: DrillContext) -> None:
    result = checks.field_updates.run(ctx, NAIVE)
    assert not result.passed
    assert result.measured["kept"] == 1
    assert "HSET" in (result.pitfall or "")


def test_json_string_counter_loses_increments(ctx: DrillContext) -> None:
    result = checks.counter_field.run(ctx, NAIVE)
    assert not result.passed
    assert result.measured["final"] == checks.ROUNDS


def test_field_expiry_runs_where_hexpire_exists_and_is_skipped_elsewhere(backend: Backend) -> None:
    report = run_drill("hashes", backend, seed=1)
    step = next(s for s in report.steps if s.title.startswith("Field expiry"))
    if backend.has_command("hexpire"):  # fakeredis has it although it imitates 7.0
        assert step.outcome.skipped is None
        assert [c.id for c in step.outcome.checks] == ["hashes.field_expiry"]
        assert step.outcome.checks[0].passed
    else:  # Redis 7.0: HEXPIRE arrived in 7.4
        assert step.outcome.skipped and "HEXPIRE" in step.outcome.skipped
        assert backend.version < (7, 4)
        assert not step.outcome.checks


def test_hash_encoding_switches_past_512_fields(backend: Backend) -> None:
    report = run_drill("hashes", backend, seed=1)
    table = next(f for s in report.steps for f in s.outcome.figures if f.title == "internal encoding")
    small = "listpack" if backend.is_simulated else compact(backend.release)
    assert [row[2] for row in table.rows] == [small, small, "hashtable", "hashtable"]
