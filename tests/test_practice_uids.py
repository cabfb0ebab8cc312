"""As root, each grading runs learner code as a uid no account and no running process has.

RLIMIT_NPROC counts every task of a uid. When every grading ran learner code as ``nobody``, one
learner's fork bomb used up the limit for all of them, and a correct solution graded at the same
time failed with "can't start new thread". These tests hold a uid busy and check the grader steps
past it, deterministically (the random choice is replaced by a fixed sequence).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from redisprep.practice import contain

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the grader only changes uid when run as root")


def _busy(uid: int) -> subprocess.Popen[bytes]:
    """A process that runs as ``uid`` until killed, as a fork bomb's survivor would."""
    code = f"import os, time; os.setgid(65534); os.setuid({uid}); time.sleep(300)"
    proc = subprocess.Popen([sys.executable, "-c", code])
    for _ in range(200):
        if contain.processes_of(uid):
            return proc
        time.sleep(0.02)
    proc.kill()
    pytest.fail(f"the helper process never ran as uid {uid}")


def _draws(monkeypatch: pytest.MonkeyPatch, *uids: int) -> None:
    offsets = iter(uid - contain.RUN_UIDS[0] for uid in uids)
    monkeypatch.setattr("secrets.randbelow", lambda _n: next(offsets))


def test_a_uid_with_a_running_process_is_never_given_to_a_grading(monkeypatch: pytest.MonkeyPatch) -> None:
    busy_uid, free_uid = contain.RUN_UIDS[0] + 123, contain.RUN_UIDS[0] + 456
    proc = _busy(busy_uid)
    try:
        _draws(monkeypatch, busy_uid, free_uid)
        assert contain.unprivileged_ids() == (free_uid, 65534)
    finally:
        proc.kill()
        proc.wait()


def test_a_free_uid_is_taken_as_drawn(monkeypatch: pytest.MonkeyPatch) -> None:
    uid = contain.RUN_UIDS[0] + 789
    assert contain.processes_of(uid) == 0
    _draws(monkeypatch, uid)
    assert contain.unprivileged_ids() == (uid, 65534)


def test_the_range_holds_no_account_and_stays_below_what_every_user_namespace_maps() -> None:
    import pwd

    low, high = contain.RUN_UIDS
    assert 0 < low < high <= 65536
    assert not [p.pw_name for p in pwd.getpwall() if low <= p.pw_uid < high]


def test_draws_spread_over_the_range_instead_of_one_shared_uid() -> None:
    drawn = {contain.unprivileged_ids() for _ in range(50)}
    assert len(drawn) > 1 and (65534, 65534) not in drawn
    low, high = contain.RUN_UIDS
    assert all(ids is not None and low <= ids[0] < high for ids in drawn)


def test_a_drawn_uid_that_belongs_to_an_account_is_passed_over(monkeypatch: pytest.MonkeyPatch) -> None:
    """An account's uid (here nobody's, drawn as if the range held it) never runs learner code."""
    import pwd

    account = pwd.getpwnam("nobody").pw_uid
    free_uid = contain.RUN_UIDS[0] + 321
    _draws(monkeypatch, account, free_uid)
    assert contain.unprivileged_ids() == (free_uid, 65534)


def test_after_twenty_busy_draws_the_grading_runs_as_nobody(monkeypatch: pytest.MonkeyPatch) -> None:
    busy_uid = contain.RUN_UIDS[0] + 654
    proc = _busy(busy_uid)
    try:
        _draws(monkeypatch, *[busy_uid] * 20, contain.RUN_UIDS[0] + 655)
        assert contain.unprivileged_ids() == (65534, 65534)
    finally:
        proc.kill()
        proc.wait()


def test_every_process_of_a_uid_counts_toward_its_process_budget() -> None:
    uid = contain.RUN_UIDS[0] + 987
    procs = [_busy(uid), _busy(uid)]
    try:
        for _ in range(200):  # the second may still be switching to the uid
            if contain.processes_of(uid) >= 2:
                break
            time.sleep(0.02)
        assert contain.processes_of(uid) == 2  # one task each (python's main thread)
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()


def test_without_a_nobody_account_the_fallback_is_65534(monkeypatch: pytest.MonkeyPatch) -> None:
    """A system with no ``nobody``: after twenty busy draws the grading runs as 65534:65534."""
    import pwd

    def no_such_account(name: str) -> pwd.struct_passwd:
        raise KeyError(name)

    busy_uid = contain.RUN_UIDS[0] + 656
    proc = _busy(busy_uid)
    try:
        monkeypatch.setattr(pwd, "getpwnam", no_such_account)
        _draws(monkeypatch, *[busy_uid] * 20)
        assert contain.unprivileged_ids() == (65534, 65534)
    finally:
        proc.kill()
        proc.wait()
