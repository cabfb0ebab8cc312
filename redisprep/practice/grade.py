"""Grade a learner's module: run the drill's checks in a child process with a time limit per check."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from redisprep.backends import Namespace, connect, delete_namespace, translate_errors
from redisprep.drills import get_drill
from redisprep.drills.requirements import check_needs
from redisprep.errors import BackendUnavailableError, BadUsageError
from redisprep.practice.catalog import Exercise

Status = Literal["pass", "fail", "error"]
#: Learner output kept in the report (the tail), in characters.
OUTPUT_LIMIT = 2_000


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    """One check's result against the learner's code."""

    id: str
    title: str
    status: Status
    message: str
    pitfall: str | None = None
    measured: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class GradeReport:
    """The whole grade; ``passed`` only when every check passed."""

    exercise: str
    impl: Path
    backend: str
    seed: int
    checks: tuple[CheckOutcome, ...]
    output: str
    """The tail of what the learner's code printed."""
    duration_s: float

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(c.status == "pass" for c in self.checks)

    @property
    def counts(self) -> dict[str, int]:
        return {s: sum(c.status == s for c in self.checks) for s in ("pass", "fail", "error")}


def grade(
    exercise: Exercise,
    impl: Path,
    *,
    url: str | None = None,
    cluster: bool = False,
    seed: int = 0,
    timeout_s: float = 10.0,
    only: tuple[str, ...] = (),
) -> GradeReport:
    """Run ``exercise``'s checks against the module at ``impl``.

    Learner code runs in a child process: code that raises, hangs, exits or prints garbage fails
    the check it was in, and the remaining checks still run. On a live server every key is under a
    fresh namespace that is removed afterwards.

    Raises:
        BadUsageError: ``impl`` does not exist, or ``only`` names no check of the exercise.
        BackendUnavailableError: The server cannot be reached.
        BackendUnsupportedError: The server lacks what the exercise's drill needs.
    """
    if not impl.is_file():
        raise BadUsageError(f"no solution at {impl}; run 'redisprep practice start {exercise.name}' first")
    drill = get_drill(exercise.drill).drill
    checks = [c for c in drill.checks if not only or c.id in only]
    if not checks:
        raise BadUsageError(
            f"no check matches {', '.join(only)}; checks: {', '.join(c.id for c in drill.checks)}"
        )
    backend = connect(url, cluster=cluster)
    label = backend.label
    try:
        with translate_errors(label):
            check_needs(exercise.drill, drill.needs, backend)
    finally:
        backend.close()
    ns = Namespace.new()
    titles = {c.id: c.title for c in checks}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="redisprep-grade-") as tmp:
        outcomes, output = _run_children(
            exercise, impl, [c.id for c in checks], titles, url, cluster, seed, timeout_s, ns, Path(tmp)
        )
    if url is not None:
        cleaner = connect(url, cluster=cluster)
        with translate_errors(label):
            delete_namespace(cleaner.client(), ns)
        cleaner.close()
    return GradeReport(
        exercise.name, impl, label, seed, tuple(outcomes), output, time.perf_counter() - started
    )


def _run_children(
    exercise: Exercise,
    impl: Path,
    remaining: list[str],
    titles: dict[str, str],
    url: str | None,
    cluster: bool,
    seed: int,
    timeout_s: float,
    ns: Namespace,
    tmp: Path,
) -> tuple[list[CheckOutcome], str]:
    outcomes: list[CheckOutcome] = []
    output = ""
    attempt = 0
    while remaining:
        attempt += 1
        results = tmp / f"results-{attempt}.jsonl"
        spec = {
            "drill": exercise.drill,
            "impl": str(impl.resolve()),
            "checks": remaining,
            "seed": seed,
            "run_id": ns.run_id,
            "cluster": cluster,
            "results": str(results),
        }
        env = {**os.environ, "REDISPREP_GRADE_SPEC": json.dumps(spec)}
        # The child gets the URL in one variable and drops it before the learner's code runs; the
        # user's own URL variables (which may hold a password) never reach that code at all.
        for name in ("REDISPREP_GRADE_URL", "REDISPREP_URL", "REDIS_URL"):
            env.pop(name, None)
        if url is not None:
            env["REDISPREP_GRADE_URL"] = url  # in the environment, never on a command line
        proc = subprocess.Popen(
            [sys.executable, "-m", "redisprep.practice.child"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            cwd=str(impl.resolve().parent),
        )
        tail = _Tail(proc)
        events, stopped = _watch(proc, results, timeout_s)
        output = (output + tail.text())[-OUTPUT_LIMIT:]
        finished = {e["check"] for e in events if e["event"] == "result"}
        for e in events:
            if e["event"] == "fatal":
                if e.get("backend"):  # the server went away: no grade, and say what may be left
                    note = (
                        ""
                        if url is None
                        else f"; keys of run {ns.run_id} may be left: 'redisprep clean' removes them"
                    )
                    raise BackendUnavailableError(e["message"] + (note if url is not None else ""))
                outcomes += [
                    CheckOutcome(c, titles[c], "error", e["message"]) for c in remaining if c not in finished
                ]
                return outcomes, output
            if e["event"] == "result":
                outcomes.append(
                    CheckOutcome(
                        e["check"],
                        titles[e["check"]],
                        e["status"],
                        e["message"],
                        e.get("pitfall"),
                        e.get("measured") or {},
                    )
                )
        if any(e["event"] == "done" for e in events):
            break
        running = next(
            (e["check"] for e in reversed(events) if e["event"] == "start" and e["check"] not in finished),
            None,
        )
        culprit = running or next(c for c in remaining if c not in finished)
        message = (
            f"did not finish within {timeout_s:g} s (an endless loop, or waiting on something "
            "that never comes?)"
            if stopped == "timeout"
            else f"the grading process exited with code {proc.returncode} during this check "
            "(did your code call os._exit or crash the interpreter?)"
        )
        outcomes.append(CheckOutcome(culprit, titles[culprit], "error", message))
        remaining = [c for c in remaining if c not in finished and c != culprit]
    order = {c: i for i, c in enumerate(titles)}
    return sorted(outcomes, key=lambda o: order[o.id]), output


class _Tail:
    """Drain the child's output in a thread, keeping only the last :data:`OUTPUT_LIMIT` characters.

    Draining means a learner printing in an endless loop can neither block nor fill the disk.
    """

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        import collections
        import threading

        self._proc = proc
        self._chunks: collections.deque[bytes] = collections.deque()
        self._size = 0
        self._thread = threading.Thread(target=self._drain, args=(proc,), daemon=True)
        self._thread.start()

    def _drain(self, proc: subprocess.Popen[bytes]) -> None:
        stream = proc.stdout
        assert stream is not None
        for chunk in iter(lambda: os.read(stream.fileno(), 65536), b""):
            self._chunks.append(chunk)
            self._size += len(chunk)
            while self._size - len(self._chunks[0]) > OUTPUT_LIMIT * 4:
                self._size -= len(self._chunks.popleft())

    def text(self) -> str:
        self._thread.join(timeout=2)
        if self._proc.stdout is not None:
            self._proc.stdout.close()
        return b"".join(self._chunks).decode("utf-8", "replace")[-OUTPUT_LIMIT:]


def _watch(
    proc: subprocess.Popen[bytes], results: Path, timeout_s: float
) -> tuple[list[dict[str, Any]], str]:
    """Follow the child's result lines; kill it when one check runs longer than ``timeout_s``."""
    deadline = time.monotonic() + timeout_s + 5.0  # start-up: imports and connecting
    seen = 0
    while True:
        events = _read(results)
        if len(events) > seen:
            seen = len(events)
            deadline = time.monotonic() + timeout_s
        if proc.poll() is not None:
            return _read(results), "exited"
        if time.monotonic() > deadline:
            proc.kill()
            proc.wait()
            return _read(results), "timeout"
        time.sleep(0.02)


def _read(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    events = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError:
            break  # a line still being written
    return events
