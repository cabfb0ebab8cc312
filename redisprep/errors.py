"""The one exception family of redisprep; each class carries the exit code the CLI uses."""

from __future__ import annotations

import difflib
from enum import IntEnum
from typing import ClassVar


class ExitCode(IntEnum):
    """Process exit codes, documented in the README."""

    OK = 0
    #: A general error, or checks/grading that did not pass.
    FAILED = 1
    #: Usage error: a bad option, or an unknown drill, exercise or deck name.
    USAGE = 2
    #: A data file (deck, drill metadata) is malformed.
    DATA = 3
    #: The Redis server cannot be reached, refuses us, dies mid-run, or lacks a needed command.
    BACKEND = 4
    #: Grading could not finish for a reason that is not the learner's code (the server or the
    #: grader's own machinery failed mid-grade): no grade is recorded.
    INFRASTRUCTURE = 5
    #: A check of the grader itself crashed: a bug in redisprep, not in the learner's code; no grade
    #: is recorded and the message asks for a bug report.
    GRADER_BUG = 6
    #: Stopped by SIGHUP (the terminal closed); the run's keys were removed first.
    HANGUP = 129
    #: Interrupted with Ctrl-C (the run's keys were removed first).
    INTERRUPTED = 130
    #: Stopped by SIGTERM; the run's keys were removed first.
    TERMINATED = 143


class RedisprepError(Exception):
    """Base class of every error redisprep reports to the user as one line."""

    exit_code: ClassVar[ExitCode] = ExitCode.FAILED


class UnknownNameError(RedisprepError):
    """A name (drill, exercise, deck) that does not exist; carries the closest matches."""

    exit_code = ExitCode.USAGE

    def __init__(self, kind: str, name: str, choices: list[str]) -> None:
        self.kind = kind
        self.name = name
        self.suggestions = difflib.get_close_matches(name, choices, n=3, cutoff=0.5)
        hint = f"; did you mean {' or '.join(repr(s) for s in self.suggestions)}?"
        if not self.suggestions:
            hint = f"; choose one of: {', '.join(sorted(choices))}"
        super().__init__(f"unknown {kind} {name!r}{hint}")


class BadUsageError(RedisprepError):
    """An option value the command cannot use (for example a malformed URL)."""

    exit_code = ExitCode.USAGE


class DataFormatError(RedisprepError):
    """A data file is malformed; the message starts with ``file:line:``."""

    exit_code = ExitCode.DATA

    def __init__(self, path: str, line: int | None, problem: str) -> None:
        self.path = path
        self.line = line
        self.problem = problem
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {problem}")


class BackendUnavailableError(RedisprepError):
    """The Redis server cannot be reached, rejected our credentials, or went away mid-run."""

    exit_code = ExitCode.BACKEND


class BackendUnsupportedError(RedisprepError):
    """The server is reachable but lacks something a command needs (version, module, mode)."""

    exit_code = ExitCode.BACKEND


class ForbiddenCommandError(RedisprepError):
    """The practice grader stopped a command before it reached the server (outside the exercise's keys)."""


class GradingInfrastructureError(RedisprepError):
    """Grading stopped because the server (or the grader itself) failed, not the learner's code."""

    exit_code = ExitCode.INFRASTRUCTURE


class GraderBugError(RedisprepError):
    """A check's own code raised: the grader is at fault, never the learner; no grade is recorded."""

    exit_code = ExitCode.GRADER_BUG


class RunInterruptedError(RedisprepError):
    """Ctrl-C during a run; the run's keys were removed before this was raised."""

    exit_code = ExitCode.INTERRUPTED


class RunTerminatedError(RunInterruptedError):
    """SIGTERM during a run; the run's keys were removed before this was raised."""

    exit_code = ExitCode.TERMINATED


class RunHungUpError(RunInterruptedError):
    """SIGHUP during a run; the run's keys were removed before this was raised."""

    exit_code = ExitCode.HANGUP
