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

    impl = Path(spec["impl"]).resolve()
    entry = get_drill(spec["drill"])
    checks = [c for c in entry.drill.checks if c.id in spec["checks"]]
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
        backend = connect(os.environ.get("REDISPREP_GRADE_URL") or None, cluster=spec["cluster"])
    except RedisprepError as exc:
        emit(event="fatal", message=str(exc), backend=True)
        return 0
    ctx = DrillContext.create(backend, spec["seed"], Namespace(spec["run_id"]))
    for check in checks:
        emit(event="start", check=check.id)
        try:
            result = check.run(ctx, module)
        except BaseException as exc:  # noqa: BLE001 - learner code raised inside the check
            if _server_lost(exc, backend):  # not the learner's fault: grade nothing
                emit(event="fatal", message=f"cannot reach {backend.label}: {_first_line(exc)}", backend=True)
                return 0
            if isinstance(exc, RedisprepError):
                emit(event="result", check=check.id, status="error", message=str(exc))
                continue
            emit(
                event="result",
                check=check.id,
                status="error",
                message=f"your code raised {describe(exc, impl)}",
            )
            continue
        emit(
            event="result",
            check=check.id,
            status="pass" if result.passed else "fail",
            message=result.message,
            pitfall=result.pitfall,
            measured=result.measured,
        )
    emit(event="done")
    return 0


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
