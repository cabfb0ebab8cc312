"""One refusal table (knowledge.policy): every entry is a real command, and each context reads it."""

from __future__ import annotations

from redisprep.knowledge.keyspecs import command_info
from redisprep.knowledge.policy import POLICY, refusal, refused_in
from redisprep.practice.guard import KeyGuard
from redisprep.quiz.model import ErrorReply
from redisprep.quiz.sandbox import run, sandbox_client


def flagged_by_server(name: str) -> bool:
    """Whether Redis 7.0's COMMAND INFO puts ``name`` in ``@dangerous`` or ``@admin``."""
    info = command_info(name.split())
    return info is not None and bool({"dangerous", "admin"} & info.acl)


def test_every_entry_is_a_command_redis_documents() -> None:
    assert [n for n in POLICY if command_info(n.split()) is None] == []


def test_what_a_users_server_never_receives_is_what_the_server_flags_dangerous() -> None:
    assert refused_in("user-server") and all(flagged_by_server(n) for n in refused_in("user-server"))


def test_the_grader_refuses_everything_a_users_server_never_receives() -> None:
    assert refused_in("user-server") < refused_in("grading")


def test_the_quiz_refuses_only_connection_modes() -> None:
    assert refused_in("quiz") < refused_in("connection")


def test_the_guard_gives_the_policys_reason() -> None:
    guard = KeyGuard("run:1:")
    for name in refused_in("grading"):
        problem = guard.problem(name.split())
        reason = refusal(name, "grading")
        assert problem is not None and reason is not None and reason in problem, name


def test_the_quiz_sandbox_refuses_what_the_policy_says_and_runs_the_rest() -> None:
    client = sandbox_client()
    assert isinstance(run(client, "MONITOR"), ErrorReply)
    assert not isinstance(run(client, "RANDOMKEY"), ErrorReply)  # refused only while grading
