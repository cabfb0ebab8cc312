"""``redisprep clean`` deletes the ACL user an interrupted grading left, and no other user: in-process
on a server the test starts, so ``make mutate`` judges the deletion too."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis

from redisprep.backends import Backend, Namespace, connect
from redisprep.cleanup import mark_run, remove_stale_runs
from redisprep.localserver import LocalServer
from redisprep.practice.acl import user_name

LONG_AGO = 1_000  # a run that started in 1970: stale for any cutoff


@pytest.fixture
def admin(fresh_server: LocalServer) -> Iterator[redis.Redis]:
    client = redis.Redis(port=fresh_server.port, decode_responses=True)
    yield client
    client.close()


def _users(admin: redis.Redis) -> set[str]:
    return set(admin.execute_command("ACL", "USERS"))


def _add_user(admin: redis.Redis, name: str, *rules: str) -> None:
    admin.execute_command("ACL", "SETUSER", name, "on", ">a-password-of-theirs", *(rules or ("~*", "+@all")))


def _run(admin: redis.Redis, what: str, now: float = LONG_AGO) -> Namespace:
    ns = Namespace.new(now=now)
    mark_run(admin, ns, what)
    admin.set(ns.key("k"), "v")
    return ns


def _clean(url: str) -> tuple[int, dict[str, int]]:
    backend: Backend = connect(url)
    try:
        report = remove_stale_runs(backend, older_than_s=60)
    finally:
        backend.close()
    return report.users, report.removed


def test_clean_deletes_the_user_of_an_interrupted_grading_and_no_other(
    fresh_server: LocalServer, admin: redis.Redis
) -> None:
    stale, recent = _run(admin, "practice leaderboard"), _run(admin, "practice lock", now=2**40)
    for ns in (stale, recent):
        _add_user(admin, user_name(ns.run_id), f"~{ns.prefix}*", "+@all")
    _add_user(admin, "alice")
    before = _users(admin)
    assert user_name(stale.run_id) in before  # premise: the user to delete is there
    users, removed = _clean(fresh_server.url)
    assert users == 1 and removed == {stale.run_id: 1}
    assert _users(admin) == before - {user_name(stale.run_id)}


def test_a_grading_that_left_no_user_counts_none(fresh_server: LocalServer, admin: redis.Redis) -> None:
    stale = _run(admin, "practice leaderboard")
    _add_user(admin, "alice")
    before = _users(admin)
    assert _clean(fresh_server.url) == (0, {stale.run_id: 1})
    assert _users(admin) == before


def test_a_drill_run_never_costs_a_user_of_that_name(fresh_server: LocalServer, admin: redis.Redis) -> None:
    """Only a practice marker says the run made a user: a drill's run id on a user proves nothing."""
    stale = _run(admin, "drill leaderboard")
    _add_user(admin, user_name(stale.run_id))
    before = _users(admin)
    assert _clean(fresh_server.url) == (0, {stale.run_id: 1})
    assert _users(admin) == before


def test_a_cleaner_not_allowed_to_run_acl_still_removes_the_keys(
    fresh_server: LocalServer, admin: redis.Redis
) -> None:
    """ACL DELUSER refused (NOPERM): no user is counted as deleted, none is, and the keys still go."""
    stale = _run(admin, "practice leaderboard")
    _add_user(admin, user_name(stale.run_id))
    _add_user(admin, "cleaner", "~*", "+@all", "-acl")
    before = _users(admin)
    url = f"redis://cleaner:a-password-of-theirs@127.0.0.1:{fresh_server.port}"
    assert _clean(url) == (0, {stale.run_id: 1})
    assert _users(admin) == before and not admin.exists(stale.key("k"), stale.marker)
