"""Small helpers shared by the checks of every drill."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from redisprep.drills.context import DrillContext
from redisprep.drills.interleave import Lockstep, LockstepAbortedError, gate
from redisprep.drills.model import Check, CheckResult, Scalar, status_of

#: What a failed check says when what it observed matches none of the mistakes it knows.
NO_KNOWN_PITFALL = "no known pitfall fits what was observed: compare the expected and actual values"


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


class UnusableResultError(Exception):
    """A function under test returned something the check cannot use: a failed check, not a crash."""

    def __init__(self, function: str, got: Any, want: str, pitfall: str | None = None) -> None:
        self.function = function
        self.got = got
        self.want = want
        self.pitfall = pitfall
        super().__init__(f"{function} returned {_brief(got)}; want {want}")


def _brief(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


def pairs(
    value: Any, function: str, want: str = "a list of (member, number) pairs"
) -> list[tuple[str, float]]:
    """``value`` as (str, float) pairs, or :class:`UnusableResultError` naming ``function``."""
    try:
        return [(str(m), float(n)) for m, n in value]
    except (TypeError, ValueError):
        raise UnusableResultError(function, value, want) from None


def check(
    check_id: str, title: str, *, feature: str | None = None
) -> Callable[[Callable[[DrillContext, Any], Verdict]], Check]:
    """Declare a check: ``@check("leaderboard.top_k", "top-K in leaderboard order")``.

    Args:
        feature: A server feature the check cannot run without (``"sintercard"``).
    """

    def declare(fn: Callable[[DrillContext, Any], Verdict]) -> Check:
        def run(ctx: DrillContext, impl: Any) -> CheckResult:
            try:
                v = fn(ctx, impl)
            except UnusableResultError as exc:
                v = verdict(False, str(exc), pitfall=exc.pitfall or NO_KNOWN_PITFALL)
            return CheckResult(
                id=check_id,
                title=title,
                status=status_of(v.passed),
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
    """Call ``call`` as operation ``label`` and count the round trips that did its work.

    A round trip that only managed the server's script cache is not counted: ``SCRIPT LOAD`` or
    ``SCRIPT EXISTS`` (redis-py's ``register_script``, its ``Lock``, a pipeline with scripts) and an
    ``EVALSHA`` answered ``NOSCRIPT`` (the first call after a restart). Once the cache is warm none of
    them is sent, so counting them would fail correct code that happens to run first.
    """
    before = {c.round_trip for c in ctx.tracer.commands}
    with ctx.tracer.operation(label):
        value = call()
    work: dict[int, bool] = {}
    for c in ctx.tracer.commands:
        if c.operation == label and c.round_trip not in before:
            work[c.round_trip] = work.get(c.round_trip, False) or not _script_cache_only(c)
    return value, sum(work.values())


def _script_cache_only(command: Any) -> bool:
    name = command.name
    if name in ("SCRIPT LOAD", "SCRIPT EXISTS"):
        return True
    error = str(command.error or "").lower()
    return name.startswith("EVALSHA") and error.startswith(("noscript", "noscripterror"))
