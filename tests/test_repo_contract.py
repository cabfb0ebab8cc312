"""The README's two commands are the contract: CI must run the same test command."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## The two commands", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def test_readme_has_a_run_and_a_test_command() -> None:
    run, test = _readme_commands()
    assert "redisprep drill leaderboard" in run
    assert "pytest" in test


def test_ci_runs_the_readme_test_command_with_live_tests_required() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    _, test = _readme_commands()
    assert test in ci
    assert "apt-get update" in ci and "redis-server" in ci
    assert "REDISPREP_REQUIRE_LIVE=1" in ci
