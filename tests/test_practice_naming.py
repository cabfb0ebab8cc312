"""One spelling for an exercise: the name typed is the file ``practice start`` writes and ``check`` grades.

``rate-limit`` used to be written as ``rate_limit.py``; a module under that old name still grades.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from redisprep.errors import DataFormatError
from redisprep.practice.catalog import load_exercise, load_exercises

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "redisprep" / "drills" / "rate_limit" / "reference.py"


def test_start_writes_the_name_the_user_typed(tmp_path: Path, invoke: Any) -> None:
    folder = tmp_path / "work"
    result = invoke("practice", "start", "rate-limit", str(folder), catch=False)
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["rate-limit.md", "rate-limit.py"]
    assert f"next: edit {folder / 'rate-limit.py'}" in result.stdout
    assert "rate_limit" not in result.stdout + (folder / "rate-limit.md").read_text()


def test_every_exercise_is_one_spelling() -> None:
    for exercise in load_exercises():
        assert exercise.module == f"{exercise.name}.py"
        assert exercise.source.parent.name == exercise.name == exercise.drill


def test_an_exercise_that_names_another_file_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "rate-limit"
    shutil.copytree(ROOT / "drills" / "rate-limit", folder)
    path = folder / "exercise.yaml"
    path.write_text(path.read_text().replace("difficulty:", "module: rate_limit.py\ndifficulty:"))
    with pytest.raises(DataFormatError, match=r"module must be 'rate-limit.py'"):
        load_exercise(path)


@pytest.mark.parametrize("file", ["practice/rate-limit.py", "practice/rate_limit.py", "rate_limit.py"])
def test_check_grades_the_module_by_its_name_or_the_old_one(
    file: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, invoke: Any
) -> None:
    (tmp_path / file).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(REFERENCE, tmp_path / file)
    monkeypatch.chdir(tmp_path)
    result = invoke("practice", "check", "rate-limit")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert result.stdout.startswith(f"rate-limit: {file}, graded on"), result.stdout
    assert "6 of 6 checks passed" in result.stdout
