"""Learner code written to escape the practice grader, graded on a server full of someone else's data.

Each attack module (``attacks/``) is the correct leaderboard plus an attack: on the password, on
the server's data, on the grade, on the machine. After each: the foreign digest is unchanged, no
redisprep key or ACL user is left, the password is in nothing written, no process of the attack
outlives the grading, and the grade recorded in results.json is the true one for that code.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from harness import DROP, Foreign, alive, dropped, secret_forms

pytestmark = pytest.mark.live

TOP = "leaderboard.top_k"
CONCURRENT = "leaderboard.concurrent_add"
REFUSED = "the grader stopped a command before it reached the server"
#: Code that is run as the user the grader is: attacks on other processes of that user (signals,
#: files outside the workspace) are contained only when the grader runs as root and drops to nobody.
AS_ROOT = os.geteuid() == 0

#: attack -> (check, the true status, words the message must hold)
CASES: dict[str, tuple[str, str, str]] = {
    "read_environment": (TOP, "pass", ""),
    "read_parent_cmdline": (TOP, "pass", ""),
    "client_connection_kwargs": (CONCURRENT, "pass", ""),
    "raw_socket_with_password": (TOP, "pass", ""),
    "class_execute_command": (CONCURRENT, "fail", REFUSED),
    "reused_pool_connection": (CONCURRENT, "pass", ""),
    "pipeline_execute_command": (CONCURRENT, "fail", REFUSED),
    "lua_global_table": (CONCURRENT, "fail", "refused it for this run's user"),
    "lua_metatable": (CONCURRENT, "fail", "refused it for this run's user"),
    "lua_rawget": (CONCURRENT, "fail", REFUSED),
    "lua_foreign_key": (CONCURRENT, "fail", REFUSED),
    "server_wide_commands": (CONCURRENT, "fail", REFUSED),
    "forge_results_file": (TOP, "error", "missing functions: add_points"),
    "daemon_outlives_grading": (TOP, "pass", ""),
    "memory_bomb": (CONCURRENT, "error", "MemoryError"),
    "giant_output": (CONCURRENT, "error", "printed more than 8 MiB"),
    "endless_loop_ignoring_signals": (CONCURRENT, "error", "did not finish within 3 s"),
    "read_parent_memory": (TOP, "pass", ""),
    "ptrace_the_grader": (TOP, "pass", ""),
    "gc_and_frames": (TOP, "pass", ""),
    "inherited_descriptors": (TOP, "pass", ""),
    "protocol_garbage": (CONCURRENT, "error", "broke the grader's protocol"),
    "pickle_return": (TOP, "error", "cannot read"),
    "redis_cli_subprocess": (TOP, "pass", ""),
    "private_server_files": (TOP, "pass", ""),
    "guess_the_run_user": (TOP, "pass", ""),
    "exit_mid_check": (CONCURRENT, "error", "exited with code 9"),
    "swallow_every_error": (CONCURRENT, "fail", REFUSED),
    "threads_after_return": (CONCURRENT, "fail", REFUSED),
}
#: Attacks that collect password candidates from everything readable (/proc of every process).
HUNTS = {
    "read_environment",
    "read_parent_cmdline",
    "read_parent_memory",
    "gc_and_frames",
    "redis_cli_subprocess",
}
ROOT_ONLY = {
    "signal_the_grader": (CONCURRENT, "pass", ""),
    "write_outside_workspace": (TOP, "pass", ""),
}


def _true_grade(foreign: Foreign, attack: str, check: str, status: str, words: str) -> None:
    # A hang is caught after 3 s; everything else gets room for a loaded machine.
    outcome = foreign.grade(attack, check, timeout=3.0 if "did not finish" in words else 30.0)
    assert outcome.code in (0, 1), (outcome.code, outcome.stderr[-2000:])
    tests = outcome.results()["tests"]
    assert [t["task_id"] for t in tests] == [check]
    assert tests[0]["status"] == status, tests[0]
    assert words in (tests[0]["message"] or ""), tests[0]
    assert "graded on redis://:***@127.0.0.1" in " ".join(outcome.stdout.split())
    assert "Traceback" not in outcome.stderr  # (what the learner's code printed may hold one)


def _nothing_found(attack: str) -> None:
    """What the attack dropped says it got nothing (no password, no FLUSHALL that worked)."""
    lines = [line for line in dropped().splitlines() if line.startswith(f"{attack}:")]
    if attack in HUNTS:  # other processes on the machine may show a password of theirs in /proc
        ours = [form.decode("latin-1") for form in secret_forms()]
        lines = [line for line in lines if "FLUSHALL on" in line or any(form in line for form in ours)]
    assert lines == [], lines


@pytest.mark.parametrize("attack", sorted(CASES))
def test_attack_is_contained(foreign: Foreign, attack: str) -> None:
    check, status, words = CASES[attack]
    _true_grade(foreign, attack, check, status, words)
    foreign.assert_untouched()
    assert foreign.leaks() == []
    if attack not in ("client_connection_kwargs",):  # it prints harmless options by design
        _nothing_found(attack)
    assert not Path("/tmp/redisprep-adversarial-pickle-ran").exists()


@pytest.mark.skipif(
    not AS_ROOT, reason="contained only when the grader runs as root (it then drops to nobody)"
)
@pytest.mark.parametrize("attack", sorted(ROOT_ONLY))
def test_attack_on_the_users_own_processes_is_contained_as_root(foreign: Foreign, attack: str) -> None:
    check, status, words = ROOT_ONLY[attack]
    _true_grade(foreign, attack, check, status, words)
    foreign.assert_untouched()
    assert foreign.leaks() == []
    _nothing_found(attack)


def test_no_process_of_any_attack_outlives_its_grading(foreign: Foreign) -> None:
    foreign.grade("daemon_outlives_grading", TOP)
    pids = [int(p.read_text()) for p in DROP.glob("daemon-*.pid")]
    assert pids, "the daemon did not start"
    assert [p for p in pids if alive(p)] == []
    outcome = foreign.grade("fork_bomb", CONCURRENT, timeout=5.0)
    assert outcome.code in (0, 1), outcome.stderr
    assert outcome.results()["tests"][0]["status"] in ("pass", "error")
    # Each of the bomb's children wrote its pid: exactly those must be gone (other gradings running
    # on this machine at the same time are not this test's business).
    bombs = [int(p.read_text()) for p in DROP.glob("bomb-*.pid") if p.read_text()]
    assert bombs, "the fork bomb forked nothing"
    deadline = time.monotonic() + 15
    while (leftover := [p for p in bombs if alive(p)]) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert leftover == []
    foreign.assert_untouched()
