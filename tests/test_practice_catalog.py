"""The practice catalogue: every starter fails, every reference passes, known wrong answers fail
naming their pitfall, on both backends."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from locked_server import GradedOn

from redisprep.drills import get_drill, load_catalog
from redisprep.practice.catalog import Exercise, load_exercises
from redisprep.practice.grade import grade

EXERCISES = load_exercises()


def _reference(exercise: Exercise) -> Path:
    spec = importlib.util.find_spec(get_drill(exercise.drill).drill.reference)
    assert spec is not None and spec.origin is not None
    return Path(spec.origin)


def test_every_use_case_drill_has_an_exercise() -> None:
    use_cases = {e.name for e in load_catalog() if e.meta.group == "use-case"}
    assert use_cases <= {e.drill for e in EXERCISES}


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_starter_has_todos_and_the_interface(exercise: Exercise) -> None:
    text = exercise.starter.read_text()
    assert "TODO" in text
    for name in get_drill(exercise.drill).drill.interface:
        assert f"def {name}(" in text, f"starter lacks {name}"
    assert len(exercise.hints) >= 2


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_starter_fails_every_check(exercise: Exercise, graded: GradedOn) -> None:
    report = grade(exercise, exercise.starter, url=graded.url, timeout_s=10)
    assert report.checks and all(c.status != "pass" for c in report.checks)


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_reference_passes_every_check(exercise: Exercise, graded: GradedOn) -> None:
    report = grade(exercise, _reference(exercise), url=graded.url, timeout_s=20)
    failed = [(c.id, c.message) for c in report.checks if c.status != "pass"]
    assert report.passed, failed
    assert list(graded.backend.client().scan_iter(match="redisprep:*")) == []
