"""``practice watch`` and ``check --watch``: grade on every save; keys for hints and the next exercise."""

from __future__ import annotations

import contextlib
import os
import select
import sys
import termios
import time
import tty
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from redisprep.cli._context import AppContext
    from redisprep.practice.catalog import Exercise
    from redisprep.practice.grade import GradeReport
    from redisprep.practice.spawn import Spawned
    from redisprep.practice.state import PracticeState

#: How often the learner's file is looked at (a save is noticed within this, plus the grade).
POLL_S = 0.2


def mtime(path: Path) -> int:
    """``path``'s modification time in ns, 0 when it does not exist."""
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


@contextlib.contextmanager
def keys() -> Iterator[None]:
    """Single key presses without Enter while inside (cbreak mode), when stdin is a terminal."""
    if not sys.stdin.isatty():
        yield
        return
    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd)
    try:
        tty.setcbreak(fd)
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def wait(path: Path, since: int) -> str:
    """Block until ``path`` changes (returns ``"save"``) or a key is pressed (returns the key)."""
    while True:
        if mtime(path) != since:
            return "save"
        ready, _, _ = select.select([sys.stdin], [], [], POLL_S)
        if ready:
            key = os.read(sys.stdin.fileno(), 1).decode("utf-8", "replace")
            if key == "":
                return "q"  # stdin closed
            return key.lower()
        time.sleep(0)


def watching(
    app_ctx: AppContext,
    exercises: list[Exercise],
    index: int,
    directory: Path,
    early: Spawned,
    state: PracticeState,
    follow_up: Callable[[Exercise, GradeReport], None],
) -> None:
    """``practice watch``'s loop: ``early`` is the first grade's child, each grade starts the next's.

    ``follow_up`` is called with each grade that did not pass (the cards behind its failed checks).
    """
    from redisprep.practice.grade import grade
    from redisprep.practice.spawn import prestart
    from redisprep.practice.workspace import find_solution
    from redisprep.render.practice import hint_panel

    console = app_ctx.console
    try:
        with keys():
            while True:
                exercise = exercises[index]
                path = find_solution(exercise, directory)
                console.print(
                    f"watching {path} for {exercise.name} (h: next hint, n: next exercise, q: quit)"
                )
                seen = mtime(path)
                if path.is_file():
                    report = grade(exercise, path, spawned=early)
                    early.release()
                    early = prestart()  # the next grade's child imports while the learner edits
                    console.print(first_failure(report))
                    state.record_result(report.exercise, report.counts["pass"], len(report.checks), str(path))
                    if not report.passed:
                        follow_up(exercise, report)
                else:
                    console.print(f"no {path} yet: 'redisprep practice start {exercise.name} {directory}'")
                while True:
                    event = wait(path, seen)
                    if event == "save":
                        console.print("saved: grading again")
                        break
                    if event == "h":
                        console.print(
                            hint_panel(exercise.name, state.next_hint(exercise.name, exercise.hints))
                        )
                    elif event == "n":
                        index = (index + 1) % len(exercises)
                        break
                    elif event == "q":
                        return
    finally:
        early.release()  # the child started for a grade that did not come


def first_failure(report: GradeReport) -> str:
    """One line for the watch screen: all passed, or the first failing check and its pitfall."""
    failed = [c for c in report.checks if c.status != "pass"]
    total = len(report.checks)
    if not failed:
        return f"all {total} checks passed in {report.duration_s:.1f} s: press n for the next exercise"
    first = failed[0]
    lines = [
        f"{total - len(failed)} of {total} checks passed in {report.duration_s:.1f} s; first failing: "
        f"{first.id} ({first.title})",
        f"  {first.message}",
    ]
    if first.pitfall:
        lines.append(f"  pitfall: {first.pitfall}")
    return "\n".join(lines)


def wait_for_change(path: Path) -> None:
    """Block until ``path``'s modification time changes (polling twice a second)."""
    before = mtime(path)
    while mtime(path) == before:
        time.sleep(0.5)
