"""The instructor's path: examples/github-actions-practice.yml, its ``run:`` steps run as CI would.

The workflow file is read, and each ``run:`` step runs in order with bash in a fresh folder standing in
for a learner's checkout: redisprep installed from this checkout into a new virtual environment (the
step's own ``pip install "$REDISPREP_SOURCE"``), a local redis-server standing in for the service.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from redisprep.localserver import find_binary

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / "examples" / "github-actions-practice.yml"


def _steps(exercise: str) -> list[tuple[str, dict[str, str]]]:
    """The workflow's ``run:`` steps for one matrix entry: (script, step env)."""
    doc = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    (job,) = doc["jobs"].values()
    assert exercise in job["strategy"]["matrix"]["exercise"]
    steps = []
    for step in job["steps"]:
        if "run" in step:
            script = step["run"].replace("${{ matrix.exercise }}", exercise)
            steps.append((script, {k: str(v) for k, v in step.get("env", {}).items()}))
    return steps


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new virtual environment, empty: the workflow's install step fills it."""
    where = tmp_path_factory.mktemp("ci") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(where)], check=True)
    return where / "bin"


def _run_workflow(tmp_path: Path, venv: Path, exercise: str) -> list[int]:
    doc = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("REDISPREP_URL", "REDIS_URL"))},
        **{k: str(v) for k, v in doc.get("env", {}).items()},
        "REDISPREP_SOURCE": str(ROOT),  # the course's copy of the repository: this checkout
        "PATH": os.pathsep.join((str(venv), str(Path(find_binary()).parent), os.environ["PATH"])),
        "VIRTUAL_ENV": str(venv.parent),
    }
    codes = []
    for script, step_env in _steps(exercise):
        done = subprocess.run(
            ["bash", "-e", "-c", script],
            cwd=tmp_path,
            env={**env, **step_env},
            capture_output=True,
            text=True,
        )
        assert "Traceback" not in done.stderr, done.stderr
        codes.append(done.returncode)
        if done.returncode and "install" in script:
            pytest.fail(f"install step failed: {done.stderr[-2000:]}")
        if "practice check" in script:
            assert "error:" not in done.stderr, done.stderr
    return codes


@pytest.fixture
def learner(tmp_path: Path) -> Iterator[Path]:
    """A fresh checkout of a learner's repository: only practice/ (no results/ folder)."""
    (tmp_path / "practice").mkdir()
    yield tmp_path
    shutil.rmtree(tmp_path / "practice", ignore_errors=True)


def _results(folder: Path, exercise: str) -> tuple[Any, dict[str, Any]]:
    import json

    junit = ET.parse(folder / "results" / f"{exercise}.xml").getroot()
    return junit, json.loads((folder / "results" / f"{exercise}.json").read_text(encoding="utf-8"))


@pytest.mark.live
def test_workflow_passes_a_right_solution_and_fails_a_starter(learner: Path, venv: Path) -> None:
    exercise = "leaderboard"
    shutil.copy(
        ROOT / "redisprep" / "drills" / "leaderboard" / "reference.py",
        learner / "practice" / "leaderboard.py",
    )
    codes = _run_workflow(learner, venv, exercise)
    assert codes == [0, 0, 0]
    junit, results = _results(learner, exercise)
    assert results["status"] == "pass" and results["tests"]
    assert all(t["status"] == "pass" for t in results["tests"])
    assert junit.get("failures") == "0" and not list(junit.iter("failure"))

    shutil.rmtree(learner / "results")
    shutil.copy(ROOT / "drills" / "leaderboard" / "starter.py", learner / "practice" / "leaderboard.py")
    codes = _run_workflow(learner, venv, exercise)
    assert codes == [0, 0, 1]
    junit, results = _results(learner, exercise)
    assert results["status"] in ("fail", "error")  # a wrong answer, or the starter's NotImplementedError
    assert any(t["status"] != "pass" for t in results["tests"])
    assert list(junit.iter("failure")) or list(junit.iter("error"))
