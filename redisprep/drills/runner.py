"""Run a drill: namespace, traced clients, steps in order, costs from the trace, and cleanup."""

from __future__ import annotations

import contextlib
import signal
import time
from collections.abc import Callable
from pathlib import Path

from redisprep.backends import Backend, Namespace, translate_errors
from redisprep.cleanup import after_backend_failure, mark_run, remove_run_keys
from redisprep.drills.catalog import get_drill
from redisprep.drills.context import DrillContext
from redisprep.drills.model import DrillReport, OperationCost, StepResult
from redisprep.drills.requirements import check_needs
from redisprep.errors import BackendUnavailableError, RedisprepError, RunInterruptedError
from redisprep.explain.tracing import Tracer
from redisprep.knowledge.commands import command_doc
from redisprep.signals import Stopped, held, interrupted

__all__ = ["RunInterruptedError", "operation_costs", "run_drill"]


def run_drill(
    name: str,
    backend: Backend,
    *,
    seed: int = 0,
    on_step: Callable[[StepResult], None] | None = None,
    data_dir: Path | None = None,
    ns: Namespace | None = None,
    tracer: Tracer | None = None,
) -> DrillReport:
    """Run the drill ``name`` on ``backend`` and return its report.

    Every key the run writes is under a fresh namespace, and all of them are deleted before this
    returns, also after an error or Ctrl-C.

    Args:
        name: The drill's name (``leaderboard``).
        backend: Where to run it.
        seed: Seed for every random choice, so a run can be repeated exactly.
        on_step: Called with each step's result as soon as it finishes (for streaming output).
        data_dir: Override for the shipped drill metadata.
        ns: Use this namespace instead of a fresh one (tests).
        tracer: Record with this tracer (explain mode passes one with an observer).

    Raises:
        UnknownNameError: No drill has that name.
        BackendUnavailableError: The server went away during the run.
        RunInterruptedError: Ctrl-C; the run's keys were removed.
    """
    entry = get_drill(name, data_dir)
    started = time.perf_counter()
    ctx = DrillContext.create(backend, seed, ns, tracer)
    results: list[StepResult] = []
    try:
        with translate_errors(backend.label):
            check_needs(entry.name, entry.drill.needs, backend)
            if backend.kind != "embedded":
                mark_run(backend.client(), ctx.ns, f"drill {entry.name}")  # what 'clean' looks for
            for step in entry.drill.steps:
                ctx.tracer.step = step.title
                first = len(ctx.tracer.commands)
                t0 = time.perf_counter()
                outcome = step.run(ctx)
                took = (time.perf_counter() - t0) * 1000
                result = StepResult(step.title, outcome, tuple(ctx.tracer.commands[first:]), took)
                results.append(result)
                if on_step is not None:
                    on_step(result)
    except KeyboardInterrupt as exc:
        ctx.breaker.stop("interrupted")  # worker threads still running stop at their next command
        with held():  # a second signal must not stop the cleanup halfway
            removed = remove_run_keys(backend, ctx.ns)
        raise interrupted(exc, f"removed {removed} keys of run {ctx.ns.run_id}") from None
    except BackendUnavailableError as exc:
        raise after_backend_failure(backend, ctx.ns, exc, gone=ctx.breaker.tripped is not None) from None
    except BaseException:
        # Leave nothing behind even when a step failed; the original error is the one to report.
        with contextlib.suppress(RedisprepError):
            remove_run_keys(backend, ctx.ns)
        raise
    with held() as arrived:  # a signal now must not stop the cleanup halfway either
        removed = remove_run_keys(backend, ctx.ns)
    if arrived:
        stop = KeyboardInterrupt() if arrived[0] == signal.SIGINT else Stopped(arrived[0])
        raise interrupted(stop, f"removed {removed} keys of run {ctx.ns.run_id}")
    return DrillReport(
        name=entry.name,
        title=entry.meta.title,
        backend=backend.label,
        seed=seed,
        steps=tuple(results),
        costs=operation_costs(ctx.tracer),
        questions=entry.meta.questions,
        keys_removed=removed,
        duration_ms=(time.perf_counter() - started) * 1000,
    )


def operation_costs(tracer: Tracer) -> tuple[OperationCost, ...]:
    """Commands, round trips and complexity per labelled operation (labels from checks excluded)."""
    costs = []
    for label, commands in tracer.by_operation().items():
        if label.startswith("check:"):
            continue
        calls = max(1, tracer.operations[label])
        names = list(dict.fromkeys(c.name for c in commands))
        docs = [command_doc(n) for n in names]
        costs.append(
            OperationCost(
                operation=label,
                calls=calls,
                commands=tuple(names),
                commands_per_call=len(commands) / calls,
                round_trips_per_call=len({c.round_trip for c in commands}) / calls,
                complexity=tuple((d.complexity or "?") if d is not None else "not documented" for d in docs),
            )
        )
    return tuple(costs)
