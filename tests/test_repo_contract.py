"""The README's two commands are the contract: CI must run the same test command, after lint.

.ci/run is executed, not read: in a copy of the repository whose every outside command (apt-get,
make, python3, the venv's python, redis-server) is a stub that records its arguments and the
environment it got, so a command in a comment, a dead branch or after a missing export counts for
nothing.
"""

from __future__ import annotations

import re
import shlex
import shutil
import stat
import subprocess
from importlib.metadata import requires
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STUB = """#!/bin/sh
printf '%s\\t%s\\t%s\\n' "{name}" "${{REDISPREP_REQUIRE_LIVE:-}}|${{REDISPREP_SERVER:-}}" "$*" >> "{log}"
case "$*" in *"servers.py env"*) echo 'REDISPREP_SERVER=/stub/redis-6.2-server' ;; esac
if [ "{name} $*" = "${{STUB_FAIL:-}}" ]; then exit 3; fi
"""


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## The two commands", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def test_readme_has_a_run_and_a_test_command() -> None:
    run, test = _readme_commands()
    assert "redisprep drill leaderboard" in run
    assert "pytest" in test


def _stub(path: Path, name: str, log: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(STUB.format(name=name, log=log))
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


Call = tuple[str, str, str, str]


def _run_ci(tmp_path: Path, fail: str = "") -> tuple[int, list[Call]]:
    """Run .ci/run with stubs (``fail``: the one call that exits 3); its exit code and its calls,
    each as (command, REDISPREP_REQUIRE_LIVE, REDISPREP_SERVER, arguments)."""
    repo, bin_, log = tmp_path / "repo", tmp_path / "bin", tmp_path / "calls.log"
    (repo / ".ci").mkdir(parents=True)
    shutil.copy(ROOT / ".ci" / "run", repo / ".ci" / "run")
    for name in ("apt-get", "sudo", "make", "python3", "redis-server"):
        _stub(bin_ / name, name, log)
    for name in ("python", "pip"):
        _stub(repo / ".venv" / "bin" / name, f".venv/bin/{name}", log)
    for tool in ("bash", "dirname", "id", "cat", "env"):
        if (found := shutil.which(tool)) is not None:
            (bin_ / tool).symlink_to(found)
    environ = {"PATH": str(bin_), "HOME": str(tmp_path), "STUB_FAIL": fail}
    done = subprocess.run(["bash", str(repo / ".ci" / "run")], env=environ, capture_output=True, text=True)
    calls = []
    for line in log.read_text().splitlines():
        name, env, args = line.split("\t")
        live, _, server = env.partition("|")
        calls.append((name, live, server, args))
    return done.returncode, calls


@pytest.fixture
def ci_calls(tmp_path: Path) -> list[Call]:
    code, calls = _run_ci(tmp_path)
    assert code == 0, calls
    return calls


def _index(calls: list[Call], name: str, pattern: str) -> int:
    found = [i for i, (n, _, _, a) in enumerate(calls) if n == name and re.fullmatch(pattern, a)]
    assert found, f".ci/run never ran {name} {pattern!r}: {calls}"
    return found[0]


def test_ci_lints_then_runs_the_readme_test_command_with_live_tests_required(ci_calls: list[Call]) -> None:
    _, test = _readme_commands()
    # The README's test command: venv, install from the lock, pytest with nothing after it.
    steps = [shlex.split(part) for part in test.split("&&")]
    assert [s[0] for s in steps] == ["python3", ".venv/bin/pip", ".venv/bin/python"]
    update = _index(ci_calls, "apt-get", r"update\b.*")
    install = _index(ci_calls, "apt-get", r"install\b.*\bredis-server\b.*")
    lint = _index(ci_calls, "make", "lint")
    venv = _index(ci_calls, "python3", re.escape(" ".join(steps[0][1:])))
    pip = _index(ci_calls, ".venv/bin/pip", re.escape(" ".join(steps[1][1:])))
    pytest_at = _index(ci_calls, ".venv/bin/python", re.escape(" ".join(steps[2][1:])))
    assert update < install < lint < venv < pip < pytest_at
    assert ci_calls[pytest_at][1] == "1", "the README's tests ran without REDISPREP_REQUIRE_LIVE=1"


def test_ci_also_runs_the_live_tests_on_a_second_server(ci_calls: list[Call]) -> None:
    _, test = _readme_commands()
    first = _index(ci_calls, ".venv/bin/python", re.escape(" ".join(shlex.split(test.split("&&")[2])[1:])))
    chosen = _index(
        ci_calls, ".venv/bin/python", r"scripts/servers\.py env (redis-6\.2|valkey-8\.1|redis-7\.0-modules)"
    )
    again = _index(ci_calls, ".venv/bin/python", r"-m pytest -m live or cluster")
    assert first < chosen < again
    _, live, server, _ = ci_calls[again]
    assert live == "1" and server == "/stub/redis-6.2-server"


def test_the_test_command_runs_in_random_order(pytestconfig: pytest.Config) -> None:
    """pytest-randomly is a dev dependency (so the README's command installs it), pinned in the
    lock, and loaded by every pytest run through addopts; and it is loaded in this one."""
    dev = [r for r in requires("redisprep") or [] if re.search(r"extra == .dev.", r)]
    assert any(re.match(r"pytest-randomly\b", d) for d in dev), dev
    addopts = pytestconfig.getini("addopts")
    assert "randomly" in [b for a, b in zip(addopts, addopts[1:], strict=False) if a == "-p"]
    assert re.search(r"^pytest-randomly==", (ROOT / "requirements-dev.lock").read_text(), re.MULTILINE)


@pytest.mark.parametrize(
    "fail",
    [
        "make lint",
        ".venv/bin/pip install -q -c requirements-dev.lock -e .[dev]",
        ".venv/bin/python -m pytest",
    ],
)
def test_ci_fails_when_a_gate_fails(tmp_path: Path, fail: str) -> None:
    """A failing gate fails the run and nothing after it runs (no `a && b` that set -e lets through)."""
    code, calls = _run_ci(tmp_path, fail)
    assert code != 0
    assert f"{calls[-1][0]} {calls[-1][3]}" == fail, calls
