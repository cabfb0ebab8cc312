"""Blame the right party: a crash in a check is the grader's bug, a crash in learner code is theirs."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from redisprep.errors import ExitCode, GraderBugError
from redisprep.practice.catalog import get_exercise
from redisprep.practice.grade import grade
from redisprep.practice.runcheck import run_check

BLAME = Path(__file__).parent / "fixtures" / "practice" / "blame"


def _crashing_check() -> Any:
    def run(ctx: Any, impl: Any) -> Any:
        return {}["missing"]  # the check's own code fails, whatever the learner wrote

    return SimpleNamespace(id="x.crash", title="crashes", run=run)


def test_an_exception_in_check_code_is_a_grader_bug_with_its_own_exit_code() -> None:
    session = SimpleNamespace(gone=None, impl=Path("solution.py"), kill=lambda why: None)
    guard = SimpleNamespace(violations=[])
    with pytest.raises(GraderBugError) as caught:
        run_check(_crashing_check(), None, session, (), 5.0, guard)  # type: ignore[arg-type]
    assert caught.value.exit_code == ExitCode.GRADER_BUG == 6
    text = str(caught.value)
    assert "x.crash" in text and "KeyError" in text and "test_practice_blame.py:" in text
    assert "bug in redisprep, not in your code" in text and "report it" in text


def test_an_exception_in_learner_code_names_the_learners_own_line() -> None:
    report = grade(get_exercise("leaderboard"), BLAME / "raises_in_top.py", only=("leaderboard.top_k",))
    (outcome,) = report.checks
    assert outcome.status == "error"
    assert outcome.message.startswith("your code raised KeyError")
    assert outcome.message.endswith("(at raises_in_top.py:8)")


def test_an_exception_in_one_of_many_calls_in_a_row_names_the_learners_own_line() -> None:
    """rate-limit.steady asks each limiter 120 times in a row (sent to the child in one message)."""
    impl = BLAME / "raises_on_third_decision.py"
    report = grade(get_exercise("rate-limit"), impl, only=("rate-limit.steady",))
    (outcome,) = report.checks
    assert outcome.status == "error"
    assert outcome.message == (
        "your code raised ValueError: clock went backwards after 3 decisions "
        "(at raises_on_third_decision.py:15)"
    )


def test_cli_exits_6_with_a_bug_report_message(invoke: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import redisprep.practice.grade as grading

    def crash(ctx: Any, impl: Any) -> Any:
        raise ZeroDivisionError("division by zero")

    def with_crashing_check(check: Any, *args: Any) -> Any:
        return run_check(SimpleNamespace(id=check.id, title=check.title, run=crash), *args)

    monkeypatch.setattr(grading, "run_check", with_crashing_check)
    impl = BLAME / "raises_in_top.py"
    result = invoke("practice", "check", "leaderboard", "--impl", str(impl), "--only", "leaderboard.top_k")
    assert result.exit_code == 6
    assert "error: the grader's check leaderboard.top_k crashed (ZeroDivisionError" in result.stderr
