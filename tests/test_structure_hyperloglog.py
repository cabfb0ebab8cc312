"""The hyperloglog drill: estimates within 3 standard errors, exact on fakeredis, and said so."""

from __future__ import annotations

from redisprep.backends import Backend
from redisprep.drills import run_drill
from redisprep.drills.context import DrillContext
from redisprep.drills.hyperloglog import reference as hll


def test_fakeredis_counts_exactly_where_redis_estimates(ctx: DrillContext) -> None:
    key = ctx.key("h")
    items = [f"user:{i}" for i in range(5_000)]
    hll.add_many(ctx.r, key, items)
    estimate = hll.count(ctx.r, [key])
    if ctx.backend.is_simulated:
        assert estimate == 5_000
    else:
        assert estimate != 5_000  # a real estimate for this input
        assert abs(estimate - 5_000) / 5_000 < 3 * hll.STANDARD_ERROR


def test_output_says_which_backend_counts_exactly(backend: Backend) -> None:
    report = run_drill("hyperloglog", backend, seed=3)
    text = " ".join(report.steps[0].outcome.narration)
    message = report.steps[0].outcome.checks[0].message
    if backend.is_simulated:
        assert "counts exactly" in text and "Redis approximates" in text
        assert "exact: the embedded fakeredis keeps a real set" in message
    else:
        assert "Redis estimated" in text and "off by" in message


def test_tables_show_the_samples_their_checks_used(backend: Backend) -> None:
    report = run_drill("hyperloglog", backend, seed=3)
    counting, merging = report.steps[0].outcome, report.steps[1].outcome
    (count,) = counting.checks
    rows = {row[0]: row for row in counting.figures[0].rows}
    assert rows["HyperLogLog (PFCOUNT)"][1] == count.measured["estimate"]
    assert rows["set (SCARD)"][1] == count.measured["exact"]
    text = " ".join(counting.narration)
    assert f"by {count.measured['exact']:,} distinct users went in" in text
    assert "at most 12 KB" not in text and f"{hll.DENSE_BYTES:,} bytes" in text
    if backend.is_simulated:
        assert "14,384 bytes" in text  # cited: measured on Redis 7.0.15
    else:
        memory = rows["HyperLogLog (PFCOUNT)"][2]
        assert isinstance(memory, int) and memory > hll.DENSE_BYTES
        assert f"`MEMORY USAGE` reports {memory:,}" in text
    (union,) = merging.checks
    week = dict(merging.figures[0].rows)
    assert week["exact"] == union.measured["exact"]
    assert week["PFCOUNT of the PFMERGE result"] == union.measured["merged"]


def test_dense_representation_is_shown_only_where_it_exists(backend: Backend) -> None:
    report = run_drill("hyperloglog", backend, seed=3)
    step = report.steps[2]
    if backend.is_simulated:
        assert step.outcome.skipped
    else:
        rows = step.outcome.figures[0].rows
        assert rows[0][2] == "sparse" and rows[-1][2] == "dense"
        assert rows[-1][1] == hll.DENSE_BYTES
