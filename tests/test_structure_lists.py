"""The lists drill: FIFO, blocking pops woken by another client, and a queue that survives a crash."""

from __future__ import annotations

import time

from redisprep.backends import Backend
from redisprep.drills.context import DrillContext
from redisprep.drills.lists import checks
from redisprep.drills.lists import reference as ls
from redisprep.drills.lists.steps import NAIVE


def test_rpop_queue_loses_the_job_a_crashed_worker_held(ctx: DrillContext) -> None:
    result = checks.no_lost_jobs.run(ctx, NAIVE)
    assert not result.passed
    assert result.measured == {"done": checks.JOBS - 1, "lost": 1, "recovered": 0}


def test_blocked_brpop_gets_the_job_another_client_pushes(ctx: DrillContext) -> None:
    result = checks.blocking_pop.run(ctx, ls)
    assert result.passed, result.message
    if ctx.backend.kind == "live":
        assert "seen blocked by CLIENT LIST" in result.message


def test_claimed_job_waits_in_the_processing_list_until_acked(ctx: DrillContext) -> None:
    queue, processing = ctx.key("{q}", "queue"), ctx.key("{q}", "processing")
    ls.push(ctx.r, queue, "a")
    assert ls.claim(ctx.r, queue, processing) == "a"
    assert ctx.r.lrange(processing, 0, -1) == ["a"]
    assert ls.ack(ctx.r, processing, "a") is True
    assert ctx.r.llen(processing) == 0
    assert ls.claim(ctx.r, queue, processing) is None


def test_blmove_on_an_empty_list_gives_up_empty_handed(ctx: DrillContext) -> None:
    """On Redis it first waits the whole timeout (a lower bound: it cannot flake on a busy machine).
    How long each backend waits is a figure for ``scripts/bench_blmove.py``, not an assertion."""
    queue, processing = ctx.key("{e}", "empty"), ctx.key("{e}", "p")
    start = time.perf_counter()
    assert ls.claim(ctx.r, queue, processing, timeout_s=0.2) is None
    waited = time.perf_counter() - start
    assert ctx.r.llen(processing) == 0 and ctx.r.exists(queue, processing) == 0
    if not ctx.backend.is_simulated:
        assert waited >= 0.19


def test_drill_narrates_what_blmove_did_on_this_backend(backend: Backend) -> None:
    from redisprep.drills import run_drill

    report = run_drill("lists", backend, seed=1)
    text = " ".join(next(s for s in report.steps if s.title.startswith("Blocking")).outcome.narration)
    if backend.is_simulated:
        assert "known fakeredis gap" in text
    else:
        assert "`BLMOVE` waited for its timeout too" in text
