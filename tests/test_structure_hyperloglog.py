"""The hyperloglog drill: estimates within 3 standard errors, exact on fakeredis, and said so."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from redisprep.backends import Backend, delete_namespace
from redisprep.drills import get_drill, run_drill
from redisprep.drills.context import DrillContext
from redisprep.patterns import hyperloglog as hll


@pytest.fixture
def ctx(backend: Backend) -> Iterator[DrillContext]:
    context = DrillContext.create(backend, seed=3)
    yield context
    delete_namespace(backend.client(), context.ns)


@pytest.mark.parametrize("check", get_drill("hyperloglog").drill.checks, ids=lambda c: c.id)
def test_reference_passes_every_check(ctx: DrillContext, check: object) -> None:
    result = check.run(ctx, hll)  # type: ignore[attr-defined]
    assert result.passed, result.message


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


def test_dense_representation_is_shown_only_where_it_exists(backend: Backend) -> None:
    report = run_drill("hyperloglog", backend, seed=3)
    step = report.steps[2]
    if backend.is_simulated:
        assert step.outcome.skipped
    else:
        rows = step.outcome.figures[0].rows
        assert rows[0][2] == "sparse" and rows[-1][2] == "dense"
        assert rows[-1][1] == hll.DENSE_BYTES
