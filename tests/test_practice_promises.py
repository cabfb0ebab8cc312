"""Every sentence of an exercise's contract is tested: each promise names checks, and they exist."""

from __future__ import annotations

import pytest

from redisprep.drills import get_drill
from redisprep.practice.catalog import Exercise, load_exercises

EXERCISES = load_exercises()


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_every_promise_has_a_check_of_the_drill(exercise: Exercise) -> None:
    ids = {c.id for c in get_drill(exercise.drill).drill.checks}
    assert len(exercise.promises) >= 4, f"{exercise.source}: list the task's promises"
    for promise in exercise.promises:
        where = f"{exercise.source}:{promise.line}: {promise.text!r}"
        assert promise.checks, f"{where} has no check"
        unknown = set(promise.checks) - ids
        assert not unknown, f"{where} names checks the drill lacks: {sorted(unknown)}"


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_every_check_tests_some_promise(exercise: Exercise) -> None:
    named = {c for p in exercise.promises for c in p.checks}
    unused = [c.id for c in get_drill(exercise.drill).drill.checks if c.id not in named]
    assert not unused, f"{exercise.source}: checks that test no promise: {unused}"


def test_a_promise_without_a_check_is_reported(tmp_path: pytest.TempPathFactory) -> None:
    from pathlib import Path

    from redisprep.practice.catalog import load_exercise

    source = next(e for e in EXERCISES if e.name == "leaderboard").source
    folder = Path(str(tmp_path)) / "leaderboard"
    folder.mkdir()
    (folder / "starter.py").write_text("# TODO\n")
    text = source.read_text() + "  - promise: an untested sentence.\n"
    (folder / "exercise.yaml").write_text(text)
    exercise = load_exercise(folder / "exercise.yaml")
    untested = [p for p in exercise.promises if not p.checks]
    assert [p.text for p in untested] == ["an untested sentence."]
    assert untested[0].line == len(text.splitlines())
