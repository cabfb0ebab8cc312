"""Small helpers shared by the checks of every drill."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from redisprep.drills.context import DrillContext
from redisprep.drills.interleave import Lockstep, LockstepAbortedError, gate
from redisprep.drills.model import Check, CheckResult, Scalar


@dataclass(frozen=True, slots=True)
class Verdict:
    """What a check function decides; :func:`check` adds the check's id and title."""

    passed: bool
    message: str
    pitfall: str | None = None
    measured: dict[str, Scalar] = field(default_factory=dict)


def verdict(passed: bool, message: str, *, pitfall: str | None = None, **measured: Scalar) -> Verdict:
    """A :class:`Verdict`; ``pitfall`` names the classic mistake a failure points to."""
    return Verdict(passed, message, pitfall, dict(measured))


def check(
    check_id: str, title: str, *, feature: str | None = None
) -> Callable[[Callable[[DrillContext, Any], Verdict]], Check]:
    """Declare a check: ``@check("leaderboard.top_k", "top-K in leaderboard order")``.

    Args:
        feature: A server feature the check cannot run without (``"sintercard"``).
    """

    def declare(fn: Callable[[DrillContext, Any], Verdict]) -> Check:
        def run(ctx: DrillContext, impl: Any) -> CheckResult:
            v = fn(ctx, impl)
            return CheckResult(
                id=check_id,
                title=title,
                passed=v.passed,
                message=v.message,
                pitfall=None if v.passed else v.pitfall,
                measured=v.measured,
            )

        return Check(check_id, title, run, feature)

    return declare


def variant(base: Any, **overrides: Callable[..., Any]) -> SimpleNamespace:
    """An implementation object: ``base``'s public functions with some replaced (naive variants)."""
    funcs = {name: getattr(base, name) for name in dir(base) if not name.startswith("_")}
    funcs.update(overrides)
    return SimpleNamespace(**funcs)


def in_lockstep(ctx: DrillContext, workers: int, work: Callable[[int, Any], Any]) -> list[Any]:
    """Run ``work(i, client)`` in ``workers`` threads whose round trips advance in lockstep rounds.

    Every worker sends its n-th round trip before any sends its (n+1)-th, which is the schedule
    that breaks read-then-write code and leaves atomic commands and scripts unaffected.
    """
    step = Lockstep(workers)

    def run(i: int, client: Any) -> Any:
        try:
            return work(i, gate(client, step))
        except LockstepAbortedError:
            raise
        except BaseException:
            step.abort()  # the others stop at once instead of each waiting on a dead server
            raise
        finally:
            step.leave()

    return ctx.run_workers(workers, run)


def round_trips_of(ctx: DrillContext, label: str, call: Callable[[], Any]) -> tuple[Any, int]:
    """Call ``call`` as operation ``label`` and count the round trips it sent."""
    before = {c.round_trip for c in ctx.tracer.commands}
    with ctx.tracer.operation(label):
        value = call()
    after = {c.round_trip for c in ctx.tracer.commands if c.operation == label}
    return value, len(after - before)
