"""The bloom drill: the core filter's measured false positives, sizing, and BF.* only where present."""

from __future__ import annotations

import math
import os

from redisprep.backends import Backend
from redisprep.drills import run_drill
from redisprep.drills.bloom import checks
from redisprep.drills.bloom import reference as bf
from redisprep.drills.bloom.steps import NAIVE
from redisprep.drills.context import DrillContext


def test_sizing_matches_the_textbook_formulas() -> None:
    spec = bf.sizing(1000, 0.01)
    assert (spec.bits, spec.hashes) == (9586, 7)  # 9.59 bits per item, k = 7 at 1%
    assert math.isclose(bf.theoretical_fp(spec, 1000), 0.01, rel_tol=0.01)
    assert len(set(bf.positions(spec, "ada"))) == spec.hashes
    assert all(0 <= p < spec.bits for p in bf.positions(spec, "ada"))


def test_one_hash_bitmap_has_about_ten_times_the_false_positives(ctx: DrillContext) -> None:
    result = checks.false_positive_rate.run(ctx, NAIVE)
    assert not result.passed
    one_hash = bf.naive_sizing(checks.CAPACITY, checks.ERROR_RATE)
    assert one_hash.hashes == 1
    theory = bf.theoretical_fp(one_hash, checks.CAPACITY)  # 1 - e^(-n/m), about 9.9%
    assert abs(float(result.measured["measured_fp"] or 0) - theory) < checks.tolerance(theory, checks.PROBES)


def test_an_overfilled_filter_answers_probably_to_almost_everyone() -> None:
    assert bf.theoretical_fp(bf.sizing(100, 0.01), 1000) > 0.99


def test_add_reports_new_items_and_queries_agree(ctx: DrillContext) -> None:
    key, spec = ctx.key("f"), bf.sizing(100, 0.01)
    assert bf.add(ctx.r, key, spec, "ada") is True
    assert bf.add(ctx.r, key, spec, "ada") is False
    assert bf.might_contain(ctx.r, key, spec, "ada") is True
    assert bf.might_contain_many(ctx.r, key, spec, ["ada", "bob"]) == [True, False]
    assert ctx.r.strlen(key) <= (spec.bits + 7) // 8


def test_measured_rate_is_reported_next_to_theory(backend: Backend) -> None:
    report = run_drill("bloom", backend, seed=3)
    table = next(f for s in report.steps for f in s.outcome.figures if f.title == "core filter on bits")
    (row,) = table.rows
    columns = dict(zip(table.columns, row, strict=True))
    assert columns["theoretical p"] == "1.00%"
    assert abs(float(str(columns["measured p"]).rstrip("%")) - 1.0) < 0.7


def test_bf_commands_are_used_only_where_the_server_has_them(backend: Backend) -> None:
    report = run_drill("bloom", backend, seed=3)
    step = next(s for s in report.steps if "BF.*" in s.title)
    sent = {c.name for c in step.commands}
    if not backend.is_simulated and "redisbloom" in os.environ.get("REDISPREP_SERVER_ARGS", ""):
        # The matrix's "Redis 7.0 + modules" column: the real module must be there and be used.
        assert backend.has_command("bf.reserve"), "RedisBloom was passed to the server but is not loaded"
    if backend.has_command("bf.reserve"):  # fakeredis implements BF.*; so does a loaded RedisBloom
        assert step.outcome.skipped is None
        assert {"BF.RESERVE", "BF.MADD", "BF.MEXISTS"} <= sent
        assert step.outcome.checks[0].passed
    else:  # Debian's Redis 7.0 has no modules
        assert step.outcome.skipped and "BF.*" in step.outcome.skipped
        assert not any(name.startswith("BF.") for name in sent)
