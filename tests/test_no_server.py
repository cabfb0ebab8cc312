"""The suite on a machine without redis-server: tests that need one are skipped and counted, never
failed or errored; with ``REDISPREP_REQUIRE_LIVE=1`` (CI) each such skip is a failure.

Runs a sample of the suite in a subprocess with every ``redis-*`` and ``valkey-*`` program hidden
from PATH. The sample covers every way a test asks for a server: the session ``live`` fixture,
a module fixture with a password, ``start_server`` in a test body, the cluster fixtures, a CLI
command that looks for ``redis-cli``, and product code that starts its own server (eviction).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = [
    "tests/test_tracing.py",
    "tests/test_secrets.py",
    "tests/test_cluster_local.py",
    "tests/test_faults_cli.py",
    "tests/test_cache.py::test_eviction_policies_on_a_throwaway_server",
]


def path_without_servers(folder: Path) -> str:
    """A folder of links to every program on PATH except redis-* and valkey-*."""
    folder.mkdir()
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        if not os.path.isdir(directory):
            continue
        for entry in os.scandir(directory):
            hidden = entry.name.startswith(("redis-", "valkey-"))
            if not hidden and not (folder / entry.name).exists():
                (folder / entry.name).symlink_to(entry.path)
    return str(folder)


def run_sample(tmp_path: Path, require_live: bool) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REDISPREP_")}
    env["PATH"] = path_without_servers(tmp_path / "bin")
    env["REDISPREP_HOME"] = str(tmp_path / "home")
    if require_live:
        env["REDISPREP_REQUIRE_LIVE"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", *SAMPLE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def counts(output: str) -> dict[str, int]:
    last = output.strip().splitlines()[-1]
    return {word: int(n) for n, word in re.findall(r"(\d+) (passed|failed|skipped|errors?)", last)}


@pytest.mark.slow
def test_without_redis_server_the_tests_that_need_it_are_skipped_and_counted(tmp_path: Path) -> None:
    proc = run_sample(tmp_path, require_live=False)
    found = counts(proc.stdout)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert found.get("failed", 0) == 0 and found.get("error", 0) + found.get("errors", 0) == 0
    assert found["skipped"] >= 20 and found["passed"] >= 20, found
    assert f"{found['skipped']} of {found['skipped']} skipped tests need a server binary" in proc.stdout


@pytest.mark.slow
def test_without_redis_server_ci_fails_every_skip(tmp_path: Path) -> None:
    proc = run_sample(tmp_path, require_live=True)
    found = counts(proc.stdout)
    assert proc.returncode == 1, proc.stdout[-3000:]
    # A skip in a fixture becomes an error, a skip in the test body a failure: either fails CI.
    not_passed = found.get("failed", 0) + found.get("error", 0) + found.get("errors", 0)
    assert found.get("skipped", 0) == 0 and not_passed >= 20, found
    assert "REDISPREP_REQUIRE_LIVE=1 allows no skip" in proc.stdout
