"""The mutation-style corpus: each wrong variant fails the check it names with the pitfall it names;
each correct variant, written in its own style, passes every check, also run alone (``--only``).

A wrong variant (an exercise promise, ``drills/<exercise>/wrong/*.py``) starts with
``# pitfall: <text>`` and ``# check: <check id>``; correct variants live in
``tests/fixtures/practice/<exercise>/correct/``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from locked_server import GradedOn

from redisprep.drills import get_drill
from redisprep.practice.catalog import Exercise, load_exercises
from redisprep.practice.grade import grade

CORPUS = Path(__file__).parent / "fixtures" / "practice"
EXERCISES = load_exercises()
WRONG_PER_EXERCISE = 12
CORRECT_PER_EXERCISE = 3


def _header(path: Path) -> tuple[str, str]:
    lines = path.read_text().splitlines()
    assert lines[0].startswith("# pitfall: "), f"{path}: first line must be '# pitfall: <text>'"
    assert lines[1].startswith("# check: "), f"{path}: second line must be '# check: <check id>'"
    return lines[0].removeprefix("# pitfall: ").strip(), lines[1].removeprefix("# check: ").strip()


def _wrong() -> list[tuple[Exercise, Path, str, str]]:
    return [
        (exercise, path, *_header(path))
        for exercise in EXERCISES
        for path in sorted((exercise.source.parent / "wrong").glob("*.py"))
    ]


def _correct() -> list[tuple[Exercise, Path]]:
    return [(e, p) for e in EXERCISES for p in sorted((CORPUS / e.name / "correct").glob("*.py"))]


def _alone() -> list[tuple[Exercise, Path, str]]:
    return [(e, p, c.id) for e, p in _correct() for c in get_drill(e.drill).drill.checks]


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_corpus_size(exercise: Exercise) -> None:
    wrong = [w for w in _wrong() if w[0] is exercise]
    correct = [c for c in _correct() if c[0] is exercise]
    assert len(wrong) >= WRONG_PER_EXERCISE, f"{exercise.name}: {len(wrong)} wrong variants"
    assert len(correct) >= CORRECT_PER_EXERCISE, f"{exercise.name}: {len(correct)} correct variants"


def _id(value: object) -> str:
    return value.stem if isinstance(value, Path) else value if isinstance(value, str) else ""


@pytest.mark.parametrize(("exercise", "path", "pitfall", "check"), _wrong(), ids=_id)
def test_wrong_variant_fails_its_check_naming_its_pitfall(
    exercise: Exercise, path: Path, pitfall: str, check: str
) -> None:
    """On the grader's own server (the correct variants also run on the locked live one)."""
    report = grade(exercise, path, timeout_s=20, only=(check,))
    (outcome,) = report.checks
    if "# needs: Redis 7.0" in path.read_text() and not outcome.measured.get("deleted_probed"):
        pytest.skip("the grader's server is older than Redis 7.0, where XAUTOCLAIM names deleted ids")
    assert outcome.status == "fail", (outcome.status, outcome.message)
    assert pitfall.lower() in (outcome.pitfall or "").lower(), outcome.pitfall


@pytest.mark.parametrize(("exercise", "path"), _correct(), ids=_id)
def test_correct_variant_passes_every_check(exercise: Exercise, path: Path, graded: GradedOn) -> None:
    report = grade(exercise, path, url=graded.url, timeout_s=20)
    assert report.passed, [(c.id, c.message) for c in report.checks if c.status != "pass"]


@pytest.mark.parametrize(("exercise", "path", "check"), _alone(), ids=_id)
def test_correct_variant_passes_each_check_alone(exercise: Exercise, path: Path, check: str) -> None:
    report = grade(exercise, path, timeout_s=20, only=(check,))
    assert report.passed, [(c.id, c.message) for c in report.checks]
