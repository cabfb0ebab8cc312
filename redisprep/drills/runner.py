"""Run a drill: namespace, traced clients, steps in order, costs from the trace, and cleanup."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from redisprep.backends import Backend, Namespace, translate_errors
from redisprep.drills.catalog import get_drill
from redisprep.drills.context import DrillContext
from redisprep.drills.model import DrillReport, OperationCost, StepResult
from redisprep.drills.requirements import check_needs
from redisprep.errors import RunInterruptedError
from redisprep.explain.tracing import Tracer
from redisprep.knowledge.commands import command_doc
from redisprep.run import Run

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
    results: list[StepResult] = []
    with Run(backend=backend, what=f"drill {entry.name}", tracer=tracer, ns=ns) as run:
        ctx = DrillContext.create(backend, seed, run.ns, run.tracer)
        run.watch(ctx.breaker)  # an interrupt stops worker threads; a trip means the server is gone
        with translate_errors(backend.label):
            check_needs(entry.name, entry.drill.needs, backend)
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
    return DrillReport(
        name=entry.name,
        title=entry.meta.title,
        backend=backend.label,
        seed=seed,
        steps=tuple(results),
        costs=operation_costs(ctx.tracer),
        questions=entry.meta.questions,
        keys_removed=run.keys_removed,
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
