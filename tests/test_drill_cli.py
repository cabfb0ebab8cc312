"""``redisprep drill``: the exact typed form, list, JSON, and one-line errors with their exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from typing import Any

import pytest

from redisprep.localserver import LocalServer, free_port, start_server


def test_drill_leaderboard_runs_on_the_embedded_backend(invoke: Any) -> None:
    result = invoke("drill", "leaderboard", catch=False)
    assert result.exit_code == 0, result.stderr
    for title in ("Seed the board", "Around me", "Concurrent writers: lost updates"):
        assert title in result.stdout
    assert "350 lost" in result.stdout  # naive read-modify-write, shown failing
    assert "400 of 400 increments kept" in result.stdout
    assert "interview questions" in result.stdout
    assert "all 9 checks came out as expected" in result.stdout
    assert "Keep the facts: redisprep quiz --drill leaderboard" in result.stdout


def test_drill_list_groups_drills(invoke: Any) -> None:
    result = invoke("drill", "list", catch=False)
    assert result.exit_code == 0
    assert "Use cases" in result.stdout and "leaderboard" in result.stdout


def test_drill_list_json(invoke: Any) -> None:
    rows = json.loads(invoke("drill", "list", "--json", catch=False).stdout)
    assert {"name": "leaderboard", "group": "use-case"}.items() <= rows[0].items()


def test_json_output_is_machine_readable(invoke: Any) -> None:
    result = invoke("drill", "leaderboard", "--json", "--seed", "4", catch=False)
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["ok"] is True and data["seed"] == 4
    assert [s["title"] for s in data["steps"]][0] == "Seed the board"
    checks = [c for s in data["steps"] for c in s["checks"]]
    assert any(
        c["id"] == "leaderboard.concurrent_add" and not c["passed"] and c["as_expected"] for c in checks
    )
    assert {c["operation"] for c in data["costs"]} >= {"add points", "top-K", "rank", "around me"}


def test_json_checks_say_status_as_the_grader_does_and_keep_the_keys_ci_parsers_read(invoke: Any) -> None:
    """Each check in ``drill --json`` has the grader's ``status`` and the keys it always had (``passed``)."""
    result = invoke("drill", "leaderboard", "--json", catch=False)
    checks = [c for s in json.loads(result.stdout)["steps"] for c in s["checks"]]
    keys = ["id", "title", "status", "passed", "message", "expected", "pitfall", "measured", "as_expected"]
    assert checks and all(list(c) == keys for c in checks), [list(c) for c in checks][:1]
    assert {c["status"] for c in checks} == {"pass", "fail"}  # leaderboard shows a naive version failing
    assert all(c["passed"] == (c["status"] == "pass") for c in checks)
    assert all(c["as_expected"] == (c["passed"] == c["expected"]) for c in checks)


def test_explain_flag_lists_commands_with_complexity(invoke: Any) -> None:
    result = invoke("drill", "leaderboard", "--explain", catch=False)
    assert result.exit_code == 0
    assert "commands sent" in result.stdout
    assert "ZREVRANK" in result.stdout and "O(log(N))" in result.stdout


def test_unknown_drill_suggests_the_closest(invoke: Any) -> None:
    result = invoke("drill", "leaderbord")
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: unknown drill 'leaderbord'; did you mean 'leaderboard'?"


def test_unreachable_url_is_one_line_exit_4(invoke: Any) -> None:
    result = invoke("drill", "leaderboard", "--url", f"redis://:s3cret@127.0.0.1:{free_port()}")
    assert result.exit_code == 4
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: cannot reach redis://:***@127.0.0.1")
    assert "s3cret" not in result.stderr + result.stdout


def test_env_url_is_used_when_no_option(invoke: Any) -> None:
    url = f"redis://127.0.0.1:{free_port()}"
    result = invoke("drill", "leaderboard", env={"REDISPREP_URL": url, "REDIS_URL": ""})
    assert result.exit_code == 4 and url in result.stderr


def _main(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "redisprep", *args], capture_output=True, text=True, timeout=60
    )


def test_bad_option_is_one_line_exit_2() -> None:
    proc = _main("drill", "leaderboard", "--bogus")
    assert proc.returncode == 2
    assert proc.stderr == "error: No such option: --bogus (see 'redisprep drill --help')\n"


def test_version_and_help() -> None:
    from redisprep import __version__

    assert _main("--version").stdout.strip() == f"redisprep {__version__}"
    help_text = _main("--help").stdout
    assert "drill" in help_text and "clean" in help_text


@pytest.mark.live
def test_live_run_leaves_other_keys_untouched_and_none_of_its_own(invoke: Any) -> None:
    server: LocalServer = start_server()
    try:
        import redis

        user = redis.Redis(port=server.port, decode_responses=True)
        user.set("app:config", "v1")
        user.set("app:session", "abc", ex=3600)
        user.zadd("app:lb", {"zed": 1.5})
        user.hset("app:user:1", mapping={"name": "Ann"})
        user.rpush("app:queue", "a", "b")
        before = {k: (user.dump(k), user.ttl(k)) for k in user.scan_iter()}
        result = invoke("drill", "leaderboard", "--url", server.url, catch=False)
        assert result.exit_code == 0, result.stderr
        after = {k: (user.dump(k), user.ttl(k)) for k in user.scan_iter()}
        assert set(after) == set(before)
        for key, (value, ttl) in before.items():
            assert after[key][0] == value
            assert after[key][1] == ttl or (ttl > 0 and 0 <= ttl - after[key][1] <= 2)
    finally:
        server.stop()


@pytest.mark.live
def test_server_killed_mid_run_is_one_line_exit_4(tmp_path: Any) -> None:
    server = start_server()
    script = (
        "import os, signal, sys\n"
        "from redisprep.cli import main\n"
        "from redisprep.drills.leaderboard import steps\n"
        "original = steps.top_and_rank\n"
        f"def crash(ctx):\n    os.kill({server.pid}, signal.SIGKILL)\n    return original(ctx)\n"
        "steps.STEPS = tuple(s if s.run is not original else type(s)(s.title, crash) "
        "for s in steps.STEPS)\n"
        "import redisprep.drills.leaderboard as pkg\n"
        "import dataclasses\n"
        "pkg.DRILL = dataclasses.replace(pkg.DRILL, steps=steps.STEPS)\n"
        f"main(['drill', 'leaderboard', '--url', '{server.url}'])\n"
    )
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    took = time.monotonic() - started
    server.stop()
    assert proc.returncode == 4, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and errors[0].startswith("error: cannot reach"), proc.stderr
    assert "Traceback" not in proc.stderr
    assert took < 30  # a hang would hit the subprocess timeout; the figure itself is benchmarked


def test_no_command_shows_the_help_not_an_error() -> None:
    for args in ((), ("cluster",), ("practice",)):
        proc = _main(*args)
        assert proc.returncode == 2  # click's convention for a missing command
        assert proc.stderr.startswith("Usage: redisprep") and "error:" not in proc.stderr
        assert "Commands:" in proc.stderr
