"""``make new-drill``: a scaffolded drill is found, runs, and grades, and lives in exactly 3 places.

The drill is scaffolded into a temporary checkout (a copy of the shipped data), whose package folder
is added to ``redisprep.drills.__path__`` and whose data folder becomes the default one.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import redisprep.drills
from redisprep import resources
from redisprep.backends import connect
from redisprep.drills import catalog, run_drill
from redisprep.practice import catalog as exercises
from redisprep.practice.grade import grade
from redisprep.quiz.deck import load_decks

ROOT = Path(__file__).resolve().parent.parent
NAME = "tally-counter"
FIRST_PARTY = "lint.isort.known-first-party = ['redisprep']"


def _load_scaffold() -> object:
    spec = importlib.util.spec_from_file_location("new_drill", ROOT / "scripts" / "new_drill.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


new_drill = _load_scaffold()


def _clear() -> None:
    for cached in (catalog.load_metas, catalog.load_catalog, exercises.load_exercises):
        cached.cache_clear()


def _tree(root: Path) -> set[Path]:
    return {p.relative_to(root) for p in root.rglob("*") if "__pycache__" not in p.parts}


@pytest.fixture
def checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A temporary checkout with the shipped data, the default data folder while the test runs."""
    shutil.copytree(resources.drills_dir(), tmp_path / "drills")
    shutil.copytree(resources.flashcards_dir(), tmp_path / "flashcards")
    (tmp_path / "redisprep" / "drills").mkdir(parents=True)
    shipped = resources.data_root
    monkeypatch.setattr(resources, "data_root", lambda data_dir=None: shipped(data_dir or tmp_path))
    monkeypatch.setattr(
        redisprep.drills, "__path__", [*redisprep.drills.__path__, str(tmp_path / "redisprep" / "drills")]
    )
    _clear()
    yield tmp_path
    _clear()
    for name in [m for m in sys.modules if m.startswith("redisprep.drills.tally_counter")]:
        del sys.modules[name]


def test_a_scaffolded_drill_runs_grades_and_touches_three_places(checkout: Path) -> None:
    before = _tree(checkout)
    created = new_drill.scaffold(NAME, checkout)  # type: ignore[attr-defined]
    added = _tree(checkout) - before
    tops = {p for p in added if p.parent not in added}
    assert len(tops) == 3, sorted(map(str, tops))  # the "places a new drill touches" figure
    assert {checkout / p for p in tops} == set(created)

    assert NAME in catalog.drill_names()
    (deck,) = load_decks([checkout / "flashcards" / f"{NAME}.yaml"])
    assert deck.cards and all(card.drill == NAME for card in deck.cards)
    report = run_drill(NAME, connect(None), seed=3)
    assert report.ok, [(c.id, c.message) for c in report.checks if not c.as_expected]
    assert [c.passed for c in report.checks] == [False, True]  # the naive variant fails, INCR passes
    assert all(c.as_expected for c in report.checks)

    exercise = exercises.get_exercise(NAME)
    starter = grade(exercise, checkout / "drills" / NAME / "starter.py", timeout_s=20)
    assert starter.checks and all(c.status != "pass" for c in starter.checks)
    reference = grade(
        exercise, checkout / "redisprep" / "drills" / "tally_counter" / "reference.py", timeout_s=20
    )
    assert reference.passed, [(c.id, c.message) for c in reference.checks]


def test_the_generated_code_passes_lint(checkout: Path) -> None:
    """ruff, with this checkout's settings, reading each file as if it were in this checkout.

    (``redisprep`` is named first-party: ruff cannot see the package at the path it is told.)
    """
    new_drill.scaffold(NAME, checkout)  # type: ignore[attr-defined]
    for path in sorted((checkout / "redisprep" / "drills" / "tally_counter").glob("*.py")):
        as_if = ROOT / path.relative_to(checkout)
        for argv in (["check"], ["format", "--check"]):
            done = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "ruff",
                    *argv,
                    "--config",
                    FIRST_PARTY,
                    "--stdin-filename",
                    str(as_if),
                    "-",
                ],
                input=path.read_text(),
                capture_output=True,
                text=True,
                cwd=ROOT,
            )
            assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("name", ["Bad", "has_underscore", "-lead", "leaderboard"])
def test_a_bad_or_taken_name_is_refused(checkout: Path, name: str) -> None:
    (checkout / "flashcards" / "leaderboard.yaml").touch()
    with pytest.raises(new_drill.ScaffoldError):  # type: ignore[attr-defined]
        new_drill.scaffold(name, checkout)  # type: ignore[attr-defined]
