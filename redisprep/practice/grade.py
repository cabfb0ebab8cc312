"""Grade a learner's module: the drill's checks run here, the learner's functions in a contained child.

The parent owns everything that decides the grade: the checks, the clients and the server reads.
The child only runs the learner's functions when a check calls them (:mod:`.child_session`); it holds no
credentials, and its commands reach the server through the parent, as a per-run ACL user
(:mod:`.server`). A server lost mid-grade is the grader's failure, never the learner's: no grade.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from redisprep.backends import Namespace, translate_errors
from redisprep.drills import get_drill
from redisprep.drills.context import DrillContext
from redisprep.drills.model import CheckResult
from redisprep.drills.requirements import check_needs
from redisprep.errors import BadUsageError, GradingInfrastructureError
from redisprep.masking import secrets_in
from redisprep.practice.catalog import Exercise
from redisprep.practice.child_session import ChildGoneError, ChildSession, LearnerFatalError
from redisprep.practice.contain import ResourceLimits
from redisprep.practice.guard import KeyGuard
from redisprep.practice.proctree import Guarded, scrub_own_arguments
from redisprep.practice.runcheck import run_check
from redisprep.practice.server import GradingServer, open_server
from redisprep.practice.spawn import Spawned, prestart
from redisprep.run import Run, Target

__all__ = ["GradeReport", "grade"]

#: Learner output kept in the report (the tail), in characters.
OUTPUT_LIMIT = 2_000
#: Output past this many bytes stops the child (a print loop would otherwise run to the time limit).
OUTPUT_KILL_BYTES = 8 << 20


@dataclass(frozen=True, slots=True)
class GradeReport:
    """The whole grade; ``passed`` only when every check passed."""

    exercise: str
    impl: Path
    backend: str
    seed: int
    checks: tuple[CheckResult, ...]
    output: str
    """The tail of what the learner's code printed."""
    duration_s: float
    where: str = ""
    """Where the learner's commands ran (a private server, or the user's behind a run user)."""

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
    limits: ResourceLimits | None = None,
    spawned: Spawned | None = None,
) -> GradeReport:
    """Run ``exercise``'s checks against the module at ``impl``.

    ``spawned``: a grading child started earlier (:func:`~redisprep.practice.spawn.prestarted`),
    taken over if it is still unused and alive; otherwise one is started here.

    Raises:
        BadUsageError: ``impl`` does not exist, or ``only`` names no check of the exercise.
        BackendUnavailableError: The server cannot be reached.
        BackendUnsupportedError: The server lacks what the drill needs, or lets users in without a
            password (``--url``).
        GradingInfrastructureError: The server went away while grading (no grade).
        RunInterruptedError: Ctrl-C, SIGTERM or SIGHUP; the run's keys and user were removed.
    """
    if not impl.is_file():
        raise BadUsageError(f"no solution at {impl}; run 'redisprep practice start {exercise.name}' first")
    entry = get_drill(exercise.drill)
    checks = [c for c in entry.drill.checks if not only or c.id in only]
    if not checks:
        raise BadUsageError(
            f"no check matches {', '.join(only)}; checks: {', '.join(c.id for c in entry.drill.checks)}"
        )
    if url is not None:
        scrub_own_arguments(_secret_forms(url))
    target = Target(url, cluster) if url is not None else Target(private=True)
    started = time.perf_counter()
    if spawned is None or not spawned.usable_for(spawned.workspace):
        spawned = prestart()  # the child imports while the server opens
    spawned.load((entry.drill.reference,))
    try:
        with Run(target, what=f"practice {exercise.name}") as run:  # for 'clean' after a kill
            server = open_server(run, exercise.acl)
            with translate_errors(server.admin.label):
                check_needs(exercise.drill, entry.drill.needs, server.admin)
            outcomes, output = _grade_on(
                server, run.ns, exercise, impl.resolve(), checks, seed, timeout_s,
                limits or ResourceLimits(), spawned,
            )  # fmt: skip
    finally:
        spawned.release()
    return GradeReport(
        exercise.name,
        impl,
        server.admin.label if server.foreign else "a private server",
        seed,
        tuple(outcomes),
        output,
        time.perf_counter() - started,
        server.where,
    )


def _grade_on(
    server: GradingServer,
    ns: Namespace,
    exercise: Exercise,
    impl: Path,
    checks: list[Any],
    seed: int,
    timeout_s: float,
    limits: ResourceLimits,
    spawned: Spawned,
) -> tuple[list[CheckResult], str]:
    interface = tuple(get_drill(exercise.drill).drill.interface)
    guard = KeyGuard(ns.prefix)
    ctx = DrillContext.create(server.backend, seed, ns, wrap=guard.attach)
    ctx.reader = server.admin.client
    workspace = spawned.workspace
    outcomes: list[CheckResult] = []
    tail = _Output()
    session: ChildSession | None = None
    try:
        with Guarded():
            for check in checks:
                if session is None or session.gone is not None:
                    if session is not None:
                        session.close()
                    try:
                        session = ChildSession(
                            impl, interface, workspace, limits=limits, keep_pids=server.pids,
                            on_refused=guard.violations.append, on_output=tail.follow, spawned=spawned,
                        )  # fmt: skip
                    except (LearnerFatalError, ChildGoneError) as exc:
                        done = {o.id for o in outcomes}
                        outcomes += [
                            CheckResult(c.id, c.title, "error", str(exc)) for c in checks if c.id not in done
                        ]
                        break
                guard.violations.clear()
                outcome = run_check(check, ctx, session, interface, timeout_s, guard)
                if ctx.breaker.tripped is not None:
                    raise _lost(server, ns, ctx.breaker.tripped)
                outcomes.append(outcome)
                session.forget()
    except KeyboardInterrupt:
        ctx.breaker.stop("interrupted")
        raise
    finally:
        if session is not None:
            session.close()
        tail.stop()
    return outcomes, tail.text()


def _lost(server: GradingServer, ns: Namespace, exc: BaseException) -> GradingInfrastructureError:
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    note = f"; keys of run {ns.run_id} may be left: 'redisprep clean' removes them" if server.foreign else ""
    return GradingInfrastructureError(
        f"the server went away while grading (cannot reach {server.admin.label}: {first}); "
        f"no grade was recorded{note}"
    )


def _secret_forms(url: str) -> list[bytes]:
    """The password of ``url`` as it may appear in this process's arguments (raw and encoded)."""

    return [form for secret in secrets_in(url) for form in (secret.encode(), _quoted(secret).encode())]


def _quoted(text: str) -> str:
    return quote(text, safe="")


class _Output:
    """Drains each child's output in a thread, keeping the tail; stops a child that floods it."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []
        self._threads: list[threading.Thread] = []

    def follow(self, session: ChildSession) -> None:
        thread = threading.Thread(target=self._drain, args=(session,), daemon=True)
        thread.start()
        self._threads.append(thread)

    def _drain(self, session: ChildSession) -> None:
        stream: Any = session.proc.stdout
        if stream is None:
            return
        total = 0
        try:
            for chunk in iter(lambda: stream.read1(65536), b""):
                total += len(chunk)
                self._chunks.append(chunk)
                while sum(len(c) for c in self._chunks) - len(self._chunks[0]) > OUTPUT_LIMIT * 4:
                    self._chunks.pop(0)
                if total > OUTPUT_KILL_BYTES:
                    session.kill(f"your code printed more than {OUTPUT_KILL_BYTES >> 20} MiB")
                    break
        finally:
            stream.close()

    def stop(self) -> None:
        for thread in self._threads:
            thread.join(timeout=2)

    def text(self) -> str:
        return b"".join(self._chunks).decode("utf-8", "replace")[-OUTPUT_LIMIT:]
