"""The grader's verdict path: how a check's outcome becomes pass, fail or error, and who is blamed.

Two layers. ``run_check`` alone, with a stand-in for the child session (the part that decides from
what the check returned, raised, or failed to return in time); and ``grade`` end to end on the
embedded backend with small learner modules (the reference with one function changed).
"""

from __future__ import annotations

import importlib.util
import threading
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import redis

from redisprep.backends import connect, delete_namespace
from redisprep.drills.check_helpers import NO_KNOWN_PITFALL, variant
from redisprep.drills.context import DrillContext
from redisprep.drills.leaderboard import checks
from redisprep.drills.leaderboard import reference as lb_reference
from redisprep.drills.model import CheckResult
from redisprep.errors import BadUsageError, GraderBugError, RedisprepError
from redisprep.practice.catalog import get_exercise
from redisprep.practice.child_session import ChildGoneError, LearnerCodeError
from redisprep.practice.grade import _lost, grade
from redisprep.practice.runcheck import ImplProxy, bug_report, run_check


class Session:
    """What ``run_check`` uses of a child session: calls, ``gone``, ``kill`` and the module's path."""

    def __init__(self, gone: str | None = None) -> None:
        self.gone = gone
        self.impl = Path("/work/solution.py")
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
        self.killed = threading.Event()

    def call(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        self.calls.append((name, args, kwargs))
        return f"{name} answered"

    def call_each(self, name: str, calls: list[tuple[tuple[Any, ...], dict[str, Any]]]) -> list[Any]:
        return [self.call(name, args, kwargs) for args, kwargs in calls]

    def kill(self, why: str) -> None:
        self.gone = self.gone or why
        self.killed.set()


def _check(run: Any) -> Any:
    return SimpleNamespace(id="demo.check", title="a demo check", run=run)


def _guard(*violations: str) -> Any:
    return SimpleNamespace(violations=list(violations))


def _run(run: Any, session: Session | None = None, *violations: str, timeout_s: float = 5.0) -> CheckResult:
    result = run_check(_check(run), None, session or Session(), ("top",), timeout_s, _guard(*violations))
    assert (result.id, result.title) == ("demo.check", "a demo check")  # whatever the outcome
    return result


def _decided(passed: bool) -> Any:
    def run(ctx: Any, impl: Any) -> CheckResult:
        status = "pass" if passed else "fail"
        return CheckResult(
            "demo.check", "inner title", status, "1 of 2 kept", pitfall="lost update", measured={"n": 2}
        )

    return run


# --- what a check decided stands ----------------------------------------------------------------


def test_a_check_that_passed_is_a_pass_with_its_message_and_figures() -> None:
    result = _run(_decided(True))
    assert (result.id, result.title, result.status) == ("demo.check", "a demo check", "pass")
    assert (result.message, result.pitfall, result.measured) == ("1 of 2 kept", "lost update", {"n": 2})


def test_a_check_that_failed_is_a_fail_naming_its_pitfall() -> None:
    result = _run(_decided(False))
    assert (result.status, result.message, result.pitfall) == ("fail", "1 of 2 kept", "lost update")


def test_the_check_reaches_the_learners_functions_through_the_session() -> None:
    session = Session()
    seen: dict[str, Any] = {}

    def run(ctx: Any, impl: Any) -> CheckResult:
        seen["reply"] = impl.top("board", 3, withscores=True)
        seen["thread"] = threading.current_thread()
        return _decided(True)(ctx, impl)

    assert _run(run, session).status == "pass"
    assert session.calls == [("top", ("board", 3), {"withscores": True})]
    assert seen["reply"] == "top answered"
    assert seen["thread"].name == "check-demo.check" and seen["thread"].daemon


@pytest.mark.parametrize("name", ["_hidden", "__wrapped__", "rank"])
def test_the_proxy_offers_only_the_interfaces_public_functions(name: str) -> None:
    """Not a name outside the interface, nor a private one even if listed (what a check probes)."""
    proxy = ImplProxy(Session(), ("top", "_hidden", "__wrapped__"))  # type: ignore[arg-type]
    with pytest.raises(AttributeError, match=name):
        getattr(proxy, name)
    assert proxy.top.__name__ == "top"


@pytest.mark.parametrize("name", ["_hidden", "__wrapped__", "rank"])
def test_several_calls_at_once_obey_the_same_rule(name: str) -> None:
    session = Session()
    proxy = ImplProxy(session, ("top", "_hidden", "__wrapped__"))  # type: ignore[arg-type]
    with pytest.raises(AttributeError, match=name):
        proxy.call_each(name, [("board", 3)], {})
    assert session.calls == []


def test_several_calls_at_once_reach_the_child_in_order_with_their_arguments() -> None:
    session = Session()
    proxy = ImplProxy(session, ("top",))  # type: ignore[arg-type]
    assert proxy.call_each("top", [("a", 1), ["b", 2]], {"withscores": True}) == ["top answered"] * 2
    assert session.calls == [("top", ("a", 1), {"withscores": True}), ("top", ("b", 2), {"withscores": True})]


# --- refused commands fail the check whatever it decided ---------------------------------------


def test_a_refused_command_fails_a_check_that_passed() -> None:
    result = _run(_decided(True), None, "GET: key 'foreign' is outside the exercise")
    assert result.status == "fail"
    assert result.message == (
        "the grader stopped a command before it reached the server: "
        "GET: key 'foreign' is outside the exercise"
    )
    assert result.pitfall == "reaching outside the exercise's keys"
    assert result.measured == {"refused": 1}
    assert (result.id, result.title) == ("demo.check", "a demo check")


def test_several_refused_commands_name_the_first_and_count_the_rest() -> None:
    result = _run(_decided(True), None, "GET: key 'a'", "SET: key 'b'", "DEL: key 'c'")
    assert result.message.endswith(": GET: key 'a' (and 2 more)")
    assert result.measured == {"refused": 3}


# --- a check that does not finish ---------------------------------------------------------------


def test_a_check_past_its_time_limit_is_an_error_and_the_child_is_killed() -> None:
    session = Session()

    def run(ctx: Any, impl: Any) -> CheckResult:
        session.killed.wait(30)
        return _decided(True)(ctx, impl)  # answers only once the child is gone: still no pass

    result = _run(run, session, timeout_s=0.2)
    assert result.status == "error"
    assert result.message == (
        "did not finish within 0.2 s (an endless loop, or waiting on something that never comes?)"
    )
    assert result.pitfall is None


def test_a_child_that_exited_says_so_during_this_check() -> None:
    def run(ctx: Any, impl: Any) -> CheckResult:
        raise ChildGoneError("your code exited with code 7")

    result = _run(run, Session(gone="your code exited with code 7"))
    assert result.status == "error"
    assert result.message == (
        "your code exited with code 7 during this check "
        "(did your code call os._exit or crash the interpreter?)"
    )


def test_a_child_gone_without_a_reason_is_an_error_saying_the_grading_process_ended() -> None:
    def run(ctx: Any, impl: Any) -> CheckResult:
        raise ChildGoneError("")

    assert _run(run).message == "the grading process ended"


def test_any_exception_once_the_child_is_gone_is_the_childs_error() -> None:
    def run(ctx: Any, impl: Any) -> CheckResult:
        raise KeyError("what the check read after the child died")

    result = _run(run, Session(gone="your code used more than 512 MiB"))
    assert (result.status, result.message) == ("error", "your code used more than 512 MiB")


# --- an exception: the learner's, or the grader's ----------------------------------------------


@pytest.mark.parametrize("error", [LearnerCodeError, RedisprepError])
def test_an_error_redisprep_explains_is_an_error_with_its_message(error: type[Exception]) -> None:
    def run(ctx: Any, impl: Any) -> CheckResult:
        raise error("your code raised ValueError: bad score (at solution.py:12)")

    result = _run(run)
    assert (result.status, result.message) == (
        "error",
        "your code raised ValueError: bad score (at solution.py:12)",
    )


def test_an_exception_from_the_learners_line_names_that_line() -> None:
    def run(ctx: Any, impl: Any) -> CheckResult:
        exc = ValueError("score above MAX")
        exc._redisprep_where = 12  # type: ignore[attr-defined]
        raise exc

    result = _run(run)
    assert (result.status, result.message) == (
        "error",
        "your code raised ValueError: score above MAX (at solution.py:12)",
    )


def test_an_exception_from_the_learners_code_without_a_line_names_none() -> None:
    def run(ctx: Any, impl: Any) -> CheckResult:
        exc = ValueError()
        exc._redisprep_where = None  # type: ignore[attr-defined]
        raise exc

    assert _run(run).message == "your code raised ValueError"


def test_an_exception_raised_through_the_child_sessions_call_is_the_learners(tmp_path: Path) -> None:
    """What the grader raises inside a call into the learner's code (a refused command, say) comes
    back through ``ChildSession.call``: it happened in their code, so it is their error."""
    (tmp_path / "child_session.py").write_text(
        "def call(name):\n    raise ConnectionError(f'refused while running {name}')\n"
    )
    spec = importlib.util.spec_from_file_location("child_session_here", tmp_path / "child_session.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    def run(ctx: Any, impl: Any) -> CheckResult:
        return module.call("top")  # type: ignore[no-any-return]

    result = _run(run)
    assert (result.status, result.message) == (
        "error",
        "your code raised ConnectionError: refused while running top",
    )


def test_the_same_exception_raised_elsewhere_is_the_graders_bug() -> None:
    def run(ctx: Any, impl: Any) -> CheckResult:
        raise ConnectionError("refused while running top")

    with pytest.raises(GraderBugError, match="crashed \\(ConnectionError: refused while running top at "):
        _run(run)


def call() -> None:
    """A grader function that happens to be named like ChildSession's."""
    raise ConnectionError("refused while running top")


def test_an_exception_from_a_grader_function_named_call_is_still_the_graders_bug() -> None:
    def run(ctx: Any, impl: Any) -> CheckResult:
        call()
        return _decided(True)(ctx, impl)  # type: ignore[unreachable]

    with pytest.raises(GraderBugError):
        _run(run)


def test_running_out_of_memory_is_the_learners_error() -> None:
    def run(ctx: Any, impl: Any) -> CheckResult:
        raise MemoryError

    result = _run(run)
    assert (result.status, result.message) == ("error", "your code raised MemoryError")


def test_a_reply_error_on_the_checks_own_read_fails_the_check() -> None:
    def run(ctx: Any, impl: Any) -> CheckResult:
        raise redis.ResponseError("WRONGTYPE Operation against a key holding the wrong kind of value")

    result = _run(run)
    assert result.status == "fail"
    assert result.message == (
        "reading what your code left at the exercise's keys failed: "
        "ResponseError: WRONGTYPE Operation against a key holding the wrong kind of value"
    )
    assert result.pitfall == NO_KNOWN_PITFALL


def test_any_other_exception_in_a_check_is_a_grader_bug_naming_the_check_and_line() -> None:
    def run(ctx: Any, impl: Any) -> CheckResult:
        return {}["missing"]  # type: ignore[no-any-return]

    with pytest.raises(GraderBugError) as caught:
        _run(run)
    message = str(caught.value)
    assert message.startswith(
        "the grader's check demo.check crashed (KeyError: 'missing' at test_mutation_verdict.py:"
    )
    assert "); this is a bug in redisprep, not in your code, and no grade was recorded" in message


def _reads_a_missing_field(record: dict[str, Any]) -> Any:
    return record["missing"]  # the line a bug report must name


def test_a_grader_bug_names_the_line_that_raised_not_the_check_that_called_it() -> None:
    def run(ctx: Any, impl: Any) -> CheckResult:
        return _reads_a_missing_field({})  # type: ignore[no-any-return]

    line = _reads_a_missing_field.__code__.co_firstlineno + 1
    with pytest.raises(GraderBugError) as caught:
        _run(run)
    assert f"(KeyError: 'missing' at test_mutation_verdict.py:{line});" in str(caught.value)


def test_a_grader_bug_without_a_message_or_a_traceback_is_still_reported_whole() -> None:
    def run(ctx: Any, impl: Any) -> CheckResult:
        raise ZeroDivisionError

    with pytest.raises(
        GraderBugError, match=r"crashed \(ZeroDivisionError at test_mutation_verdict\.py:\d+\);"
    ):
        _run(run)
    assert bug_report("demo.check", RuntimeError("no result past MAX")) == (
        "the grader's check demo.check crashed (RuntimeError: no result past MAX); this is a bug in "
        "redisprep, not in your code, and no grade was recorded: please report it with this message, "
        "the output of 'redisprep --version' and your module"
    )


# --- grade end to end ---------------------------------------------------------------------------

REFERENCE = (
    "from redisprep.drills.leaderboard.reference import add_points, around, page, rank, shared_rank, top\n"
)


def _solution(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "solution.py"
    path.write_text(REFERENCE + "from redisprep.drills.leaderboard import reference as _ref\n" + body)
    return path


@pytest.fixture(scope="module")
def leaderboard() -> Any:
    return get_exercise("leaderboard")


def test_grade_counts_a_pass_and_a_fail_and_passes_only_when_all_pass(
    leaderboard: Any, tmp_path: Path
) -> None:
    reversed_top = "def top(r, board, k):\n    return _ref.top(r, board, k)[::-1]\n"
    report = grade(
        leaderboard, _solution(tmp_path, reversed_top), only=("leaderboard.rank", "leaderboard.top_k")
    )
    assert [(c.id, c.status) for c in report.checks] == [
        ("leaderboard.top_k", "fail"),
        ("leaderboard.rank", "pass"),
    ]
    assert report.counts == {"pass": 1, "fail": 1, "error": 0}
    assert not report.passed
    assert report.checks[0].message.startswith("top 10 differs")


def test_a_refused_command_fails_only_the_check_it_happened_in(leaderboard: Any, tmp_path: Path) -> None:
    reaching = "def top(r, board, k):\n    r.get('elsewhere')\n    return _ref.top(r, board, k)\n"
    report = grade(leaderboard, _solution(tmp_path, reaching), only=("leaderboard.top_k", "leaderboard.rank"))
    top_k, rank = report.checks
    assert top_k.status == "fail" and top_k.pitfall == "reaching outside the exercise's keys"
    assert rank.status == "pass", rank.message


def test_a_module_that_cannot_load_errors_every_check_it_was_asked_for(
    leaderboard: Any, tmp_path: Path
) -> None:
    path = tmp_path / "solution.py"
    path.write_text("import no_such_module_here\n")
    report = grade(leaderboard, path, only=("leaderboard.top_k", "leaderboard.rank"))
    assert [(c.id, c.status) for c in report.checks] == [
        ("leaderboard.top_k", "error"),
        ("leaderboard.rank", "error"),
    ]
    assert [c.title for c in report.checks] == ["top-K in leaderboard order", "rank of a player (1-based)"]
    assert all(c.message == report.checks[0].message for c in report.checks)
    assert "failed to import: ModuleNotFoundError" in report.checks[0].message


def test_a_child_that_died_in_one_check_is_replaced_for_the_next(leaderboard: Any, tmp_path: Path) -> None:
    dies_in_top = "import os\n\ndef top(r, board, k):\n    os._exit(7)\n"
    report = grade(
        leaderboard, _solution(tmp_path, dies_in_top), only=("leaderboard.top_k", "leaderboard.rank")
    )
    top_k, rank = report.checks
    assert top_k.status == "error" and "exited with code 7" in top_k.message
    assert rank.status == "pass", rank.message


def test_grading_with_a_seed_samples_what_the_check_samples_with_that_seed(
    leaderboard: Any, tmp_path: Path
) -> None:
    """The grade's --seed is the checks' seed: the same players sampled, the same message."""
    zero_based = "def rank(r, board, player):\n    return r.zrevrank(board, player)\n"
    report = grade(leaderboard, _solution(tmp_path, zero_based), seed=5, only=("leaderboard.rank",))
    backend = connect(None)
    try:
        ctx = DrillContext.create(backend, seed=5)
        wrong = variant(lb_reference, rank=lambda r, b, p: r.zrevrank(b, p))
        assert report.checks[0].message == checks.rank.run(ctx, wrong).message
        delete_namespace(backend.client(), ctx.ns)
    finally:
        backend.close()


def test_grade_refuses_a_check_the_exercise_does_not_have(leaderboard: Any, tmp_path: Path) -> None:
    with pytest.raises(
        BadUsageError, match="no check matches leaderboard.nope; checks: leaderboard.concurrent_add"
    ):
        grade(leaderboard, _solution(tmp_path, ""), only=("leaderboard.nope",))


# --- a server lost mid-grade --------------------------------------------------------------------


def _server(foreign: bool) -> Any:
    return SimpleNamespace(foreign=foreign, admin=SimpleNamespace(label="redis://db.example:6379"))


def test_a_lost_users_server_names_it_and_the_run_keys_left() -> None:
    ns = SimpleNamespace(run_id="r1a2b3")
    error = _lost(_server(True), ns, ConnectionError("Connection refused\nsecond line"))  # type: ignore[arg-type]
    assert str(error) == (
        "the server went away while grading (cannot reach redis://db.example:6379: Connection refused); "
        "no grade was recorded; keys of run r1a2b3 may be left: 'redisprep clean' removes them"
    )


def test_a_lost_private_server_leaves_no_keys_to_clean_and_names_a_silent_error() -> None:
    error = _lost(_server(False), SimpleNamespace(run_id="r1"), ConnectionError())  # type: ignore[arg-type]
    assert str(error) == (
        "the server went away while grading (cannot reach redis://db.example:6379: ConnectionError); "
        "no grade was recorded"
    )
