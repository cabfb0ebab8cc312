"""The plain data a drill produces: check results (the grader's too), step results, figures, the report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from redisprep.drills.context import DrillContext
    from redisprep.explain.tracing import TracedCommand

DrillGroup = Literal["use-case", "data-structure", "scaling", "operations"]
Scalar = int | float | str | bool | None


CheckStatus = Literal["pass", "fail", "error"]
"""How one check came out: ``error`` when it could not decide (the grader's crash or time limit)."""


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The result of one check run against one implementation: a drill's or the grader's.

    ``drill --json``, the grader's JUnit XML and its ``results.json`` all read these fields.
    """

    id: str
    """Stable check id, ``<drill>.<check>`` (the task id in graded output)."""
    title: str
    """What the check verifies, in a few words."""
    status: CheckStatus
    """``pass`` when the implementation behaved correctly; a drill's checks never end in ``error``."""
    message: str
    """The measured outcome in one sentence (``"1600 of 1600 increments kept"``)."""
    expected: bool = True
    """False when a naive variant is run to show it failing; such a failure is the point."""
    pitfall: str | None = None
    """The name of the classic mistake a failure points to."""
    measured: dict[str, Scalar] = field(default_factory=dict)
    """The numbers behind the message, for ``--json``."""

    @property
    def passed(self) -> bool:
        """Whether the implementation behaved correctly (``status == "pass"``)."""
        return self.status == "pass"

    @property
    def as_expected(self) -> bool:
        """True when the outcome is what the drill wanted to show."""
        return self.passed == self.expected

    def expecting_failure(self) -> CheckResult:
        """The same result, marked as a demonstration of a naive variant failing."""
        return replace(self, expected=False)

    def labelled(self, variant: str) -> CheckResult:
        """The same result with the implementation it ran against named in the title."""
        return replace(self, title=f"{self.title} [{variant}]")


def status_of(passed: bool) -> CheckStatus:
    """``pass`` or ``fail``: the status of a check that decided."""
    return "pass" if passed else "fail"


@dataclass(frozen=True, slots=True)
class DataTable:
    """A table to show: a title, column names and rows of plain values."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Scalar, ...], ...]


@dataclass(frozen=True, slots=True)
class BarChart:
    """Horizontal bars: one labelled value per bar."""

    title: str
    bars: tuple[tuple[str, float], ...]
    unit: str = ""


Figure = DataTable | BarChart


@dataclass(frozen=True, slots=True)
class StepOutcome:
    """What a step function returns: narration, figures and the checks it ran."""

    narration: tuple[str, ...]
    """Paragraphs; text in backticks is a command or key and is shown as code."""
    figures: tuple[Figure, ...] = ()
    checks: tuple[CheckResult, ...] = ()
    skipped: str | None = None
    """Why the step could not run on this backend (it is then neither passed nor failed)."""


@dataclass(frozen=True, slots=True)
class Step:
    """One narrated stage of a drill."""

    title: str
    run: Callable[[DrillContext], StepOutcome]


@dataclass(frozen=True, slots=True)
class Check:
    """A check: runs against any implementation of the drill's interface."""

    id: str
    title: str
    run: Callable[[DrillContext, Any], CheckResult]
    feature: str | None = None
    """A server feature the check needs (a name in :data:`redisprep.features.FEATURES`); where
    the server lacks it, the step that runs the check is skipped instead."""


@dataclass(frozen=True, slots=True)
class Question:
    """An interview question and the points a strong answer makes."""

    question: str
    points: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StepResult:
    """A step after it ran: its outcome, the commands it sent and its wall time."""

    title: str
    outcome: StepOutcome
    commands: tuple[TracedCommand, ...]
    duration_ms: float

    @property
    def ok(self) -> bool:
        """Every check in the step came out as the drill intended."""
        return all(c.as_expected for c in self.outcome.checks)


@dataclass(frozen=True, slots=True)
class OperationCost:
    """What one logical operation (``"rank update"``) cost, measured from the trace."""

    operation: str
    calls: int
    commands: tuple[str, ...]
    """Distinct command names the operation sent, in first-seen order."""
    commands_per_call: float
    round_trips_per_call: float
    complexity: tuple[str, ...]
    """The documented complexity of each command in :attr:`commands`."""


@dataclass(frozen=True, slots=True)
class DrillReport:
    """Everything a drill run produced; renderers and ``--json`` read only this."""

    name: str
    title: str
    backend: str
    seed: int
    steps: tuple[StepResult, ...]
    costs: tuple[OperationCost, ...]
    questions: tuple[Question, ...]
    keys_removed: int
    duration_ms: float

    @property
    def ok(self) -> bool:
        """All checks of all steps came out as intended."""
        return all(s.ok for s in self.steps)

    @property
    def checks(self) -> list[CheckResult]:
        """Every check result of the run, in order."""
        return [c for s in self.steps for c in s.outcome.checks]
