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


def _ci_commands() -> list[str]:
    """The commands of .ci/run, one per line, without comments or blank lines."""
    lines = (line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def _first(commands: list[str], pattern: str) -> int:
    found = [i for i, line in enumerate(commands) if re.fullmatch(pattern, line)]
    assert found, f"no command in .ci/run matches {pattern!r}"
    return found[0]


def test_ci_runs_the_readme_test_command_with_live_tests_required() -> None:
    commands = _ci_commands()
    _, test = _readme_commands()
    tests_at = commands.index(test)  # the README's command, as a whole line of its own
    update = _first(commands, r"(\$SUDO )?apt-get update\b.*")
    install = _first(commands, r"(\$SUDO )?apt-get install\b.*\bredis-server\b.*")
    required = _first(commands, r"export REDISPREP_REQUIRE_LIVE=1")
    lint = _first(commands, r"make lint")
    assert update < install < tests_at and required < tests_at and lint < tests_at


def test_ci_also_runs_the_live_tests_on_a_second_server() -> None:
    commands = _ci_commands()
    _, test = _readme_commands()
    chosen = _first(
        commands,
        r'eval "\$\(\.venv/bin/python scripts/servers\.py env (redis-6\.2|valkey-8\.1|redis-7\.0-modules)\)"',
    )
    again = _first(commands, r'\.venv/bin/python -m pytest -m "live or cluster"')
    assert commands.index(test) < chosen < again
