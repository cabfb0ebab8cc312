"""Run one check in the parent against the learner's functions in the child, with a time limit.

The check is the drill's own code, given an implementation object whose functions call into the
child (:class:`ImplProxy`). It runs in a thread of the parent; the verdict is what the check
returns there, decided from the parent's own reads of the server, and nothing the child writes.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from redisprep.drills.check_helpers import NO_KNOWN_PITFALL
from redisprep.drills.model import CheckResult, status_of
from redisprep.errors import GraderBugError, RedisprepError
from redisprep.practice.child_session import ChildGoneError, ChildSession, LearnerCodeError

#: After the child is killed, how long a check thread may take to notice and return.
DRAIN_S = 15.0


class ImplProxy:
    """The learner's module as the checks see it: each interface function calls into the child."""

    def __init__(self, session: ChildSession, interface: tuple[str, ...]) -> None:
        self._session = session
        self._interface = interface

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_") or name not in self._interface:
            raise AttributeError(name)
        session = self._session

        def remote(*args: Any, **kwargs: Any) -> Any:
            return session.call(name, args, kwargs)

        remote.__name__ = name
        return remote

    def call_each(self, name: str, calls: list[tuple[Any, ...]], kwargs: dict[str, Any]) -> list[Any]:
        """``[getattr(self, name)(*args, **kwargs) for args in calls]``, sent to the child at once."""
        if name.startswith("_") or name not in self._interface:
            raise AttributeError(name)
        return self._session.call_each(name, [(tuple(args), kwargs) for args in calls])


def run_check(
    check: Any, ctx: Any, session: ChildSession, interface: tuple[str, ...], timeout_s: float, guard: Any
) -> CheckResult:
    """Run ``check`` against the child's module; a time limit, a crash or a refusal fails only it."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["result"] = check.run(ctx, ImplProxy(session, interface))
        except BaseException as exc:  # noqa: BLE001 - reported as this check's error
            box["error"] = exc

    worker = threading.Thread(target=target, name=f"check-{check.id}", daemon=True)
    worker.start()
    worker.join(timeout_s)
    timed_out = worker.is_alive()
    if timed_out:
        session.kill(
            f"did not finish within {timeout_s:g} s "
            "(an endless loop, or waiting on something that never comes?)"
        )
        worker.join(DRAIN_S)
    outcome = _outcome(check, box, session, timed_out)
    if guard.violations:
        first, more = guard.violations[0], len(guard.violations) - 1
        outcome = CheckResult(
            check.id,
            check.title,
            "fail",
            f"the grader stopped a command before it reached the server: {first}"
            + (f" (and {more} more)" if more else ""),
            pitfall="reaching outside the exercise's keys",
            measured={"refused": len(guard.violations)},
        )
    return outcome


def _outcome(check: Any, box: dict[str, Any], session: ChildSession, timed_out: bool) -> CheckResult:
    if "result" in box and not timed_out:
        result = box["result"]
        return CheckResult(
            check.id,
            check.title,
            status_of(result.passed),
            result.message,
            pitfall=result.pitfall,
            measured=dict(result.measured),
        )
    exc = box.get("error")
    if timed_out or isinstance(exc, ChildGoneError) or (session.gone and exc is not None):
        message = session.gone or "the grading process ended"
        if "exited with code" in message:
            message += " during this check (did your code call os._exit or crash the interpreter?)"
        return CheckResult(check.id, check.title, "error", message)
    if isinstance(exc, LearnerCodeError):
        return CheckResult(check.id, check.title, "error", str(exc))
    if isinstance(exc, RedisprepError):
        return CheckResult(check.id, check.title, "error", str(exc))
    where = getattr(exc, "_redisprep_where", None)
    text = f"{type(exc).__name__}: {exc}".rstrip(": ")
    if hasattr(exc, "_redisprep_where") or _through_learner(exc):  # raised in or through their code
        place = f" (at {session.impl.name}:{where})" if type(where) is int else ""
        return CheckResult(check.id, check.title, "error", f"your code raised {text}{place}")
    if _is_reply_error(exc):  # the check's own read of what the learner's code left behind
        return CheckResult(
            check.id,
            check.title,
            "fail",
            f"reading what your code left at the exercise's keys failed: {text}",
            pitfall=NO_KNOWN_PITFALL,
        )
    raise GraderBugError(bug_report(check.id, exc or RuntimeError("no result")))


def _through_learner(exc: BaseException | None) -> bool:
    """Whether ``exc`` came out of a call into the learner's code (or is the child running out)."""

    if isinstance(exc, MemoryError):
        return True
    frames = traceback.extract_tb(exc.__traceback__) if exc is not None else []
    return any(Path(f.filename).name == "child_session.py" and f.name == "call" for f in frames)


def _is_reply_error(exc: BaseException | None) -> bool:
    import redis

    return isinstance(exc, redis.ResponseError)


def bug_report(check_id: str, exc: BaseException) -> str:
    """The message of a check that crashed: the grader's fault, with where it happened in the grader."""

    frames = traceback.extract_tb(exc.__traceback__)
    last = frames[-1] if frames else None
    place = f" at {Path(last.filename).name}:{last.lineno}" if last is not None else ""
    text = f"{type(exc).__name__}: {exc}".rstrip(": ")
    return (
        f"the grader's check {check_id} crashed ({text}{place}); this is a bug in redisprep, not in "
        "your code, and no grade was recorded: please report it with this message, the output of "
        "'redisprep --version' and your module"
    )
