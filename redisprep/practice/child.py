"""The grading child process: load the learner's module, run the drill's checks, stream results.

Run as ``python -m redisprep.practice.child``; the parent passes a JSON spec in
``$REDISPREP_GRADE_SPEC`` and the server URL (if any) in ``$REDISPREP_GRADE_URL``. Results go to the
spec's ``results`` file as JSON lines, so whatever the learner's code prints cannot corrupt them.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import traceback
from pathlib import Path
from types import ModuleType
from typing import Any, TextIO


def describe(exc: BaseException, impl: Path) -> str:
    """``ValueError: boom (at solution.py:12)``, pointing at the learner's own line when there is one."""
    if isinstance(exc, SystemExit):
        return f"called sys.exit({exc.code!r})"
    text = f"{type(exc).__name__}: {exc}".rstrip(": ")
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if Path(f.filename) == impl]
    if isinstance(exc, SyntaxError) and exc.lineno is not None:
        return f"{text} (at {impl.name}:{exc.lineno})"
    if frames:
        return f"{text} (at {impl.name}:{frames[-1].lineno})"
    return text


def load_module(impl: Path) -> ModuleType:
    """Import the learner's file as a fresh module named ``solution``."""
    spec = importlib.util.spec_from_file_location("solution", impl)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {impl}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> int:
    spec: dict[str, Any] = json.loads(os.environ["REDISPREP_GRADE_SPEC"])
    with open(spec["results"], "a", encoding="utf-8") as out:
        return run(spec, out)


def run(spec: dict[str, Any], out: TextIO) -> int:
    """Grade; every outcome is a line in ``out``."""

    def emit(**event: Any) -> None:
        out.write(json.dumps(event) + "\n")
        out.flush()

    from redisprep.backends import Namespace, connect
    from redisprep.drills import get_drill
    from redisprep.drills.context import DrillContext
    from redisprep.errors import RedisprepError
    from redisprep.practice.fence import fence_connections
    from redisprep.practice.guard import KeyGuard

    impl = Path(spec["impl"]).resolve()
    entry = get_drill(spec["drill"])
    checks = [c for c in entry.drill.checks if c.id in spec["checks"]]
    ns = Namespace(spec["run_id"])
    guard = KeyGuard(ns.prefix)
    # Out of the learner's sight before their module runs: the URL, and clients of their own.
    url = os.environ.pop("REDISPREP_GRADE_URL", None) or None
    fence_connections(guard, impl)
    try:
        module = load_module(impl)
    except BaseException as exc:  # noqa: BLE001 - learner code: anything can happen at import
        emit(event="fatal", message=f"your module failed to import: {describe(exc, impl)}")
        return 0
    missing = [f for f in entry.drill.interface if not callable(getattr(module, f, None))]
    if missing:
        emit(event="fatal", message=f"missing functions: {', '.join(missing)}")
        return 0
    try:
        backend = connect(url, cluster=spec["cluster"])
    except RedisprepError as exc:
        emit(event="fatal", message=str(exc), backend=True)
        return 0
    ctx = DrillContext.create(backend, spec["seed"], ns, wrap=guard.attach)
    for check in checks:
        emit(event="start", check=check.id)
        guard.violations.clear()
        event = run_check(check, ctx, module, impl, guard, backend)
        emit(**event)
        if event["event"] == "fatal":
            return 0
    emit(event="done")
    return 0


def run_check(
    check: Any, ctx: Any, module: ModuleType, impl: Path, guard: Any, backend: Any
) -> dict[str, Any]:
    """Run one check; its result event. A refused command fails it even if the code caught the error.

    When the server itself is gone, the event is ``fatal``: that is not the learner's fault, and
    nothing is graded.
    """
    from redisprep.errors import RedisprepError

    event: dict[str, Any] = {"event": "result", "check": check.id}
    try:
        result = check.run(ctx, module)
    except BaseException as exc:  # noqa: BLE001 - learner code raised inside the check
        if _server_lost(exc, backend):
            return {
                "event": "fatal",
                "message": f"cannot reach {backend.label}: {_first_line(exc)}",
                "backend": True,
            }
        message = str(exc) if isinstance(exc, RedisprepError) else f"your code raised {describe(exc, impl)}"
        event.update(status="error", message=message)
    else:
        event.update(
            status="pass" if result.passed else "fail",
            message=result.message,
            pitfall=result.pitfall,
            measured=result.measured,
        )
    if guard.violations:
        first, more = guard.violations[0], len(guard.violations) - 1
        event.update(
            status="fail",
            message=f"the grader stopped a command before it reached the server: {first}"
            + (f" (and {more} more)" if more else ""),
            pitfall="reaching outside the exercise's keys",
            measured={"refused": len(guard.violations)},
        )
    return event


def _server_lost(exc: BaseException, backend: Any) -> bool:
    """A connection failure, and the server no longer answers a fresh ``PING``."""
    import redis

    from redisprep.errors import BackendUnavailableError

    lost = isinstance(exc, redis.ConnectionError | redis.TimeoutError | BackendUnavailableError)
    return lost and not backend.answers()


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


if __name__ == "__main__":
    sys.exit(main())
