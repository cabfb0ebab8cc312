"""Exercises: one per drill folder that has an ``exercise.yaml`` (task, difficulty, hints, starter)."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from redisprep import resources
from redisprep._yaml import brief, line_of, line_of_key, load_yaml
from redisprep.errors import DataFormatError, UnknownNameError
from redisprep.practice.acl import DATA_CATEGORIES

Difficulty = Literal["easy", "medium", "hard"]
_DIFFICULTIES = ("easy", "medium", "hard")
_NAME = re.compile(r"[a-z0-9][a-z0-9-]*\Z")


@dataclass(frozen=True, slots=True)
class Promise:
    """One sentence of an exercise's contract and the checks that test it."""

    text: str
    checks: tuple[str, ...]
    line: int | None
    """Where it is written in ``exercise.yaml``."""
    cards: tuple[str, ...] = ()
    """The flashcards that teach it: made due when one of its checks fails."""


@dataclass(frozen=True, slots=True)
class Exercise:
    """A practice exercise, graded by the checks of the drill it belongs to."""

    name: str
    """The word users type: ``redisprep practice start <name>``."""
    drill: str
    difficulty: Difficulty
    module: str
    """File name of the learner's module: the exercise's name, ``rate-limit.py``."""
    task: str
    hints: tuple[str, ...]
    starter: Path
    """The starter module shipped with the exercise."""
    source: Path
    """The ``exercise.yaml`` it came from."""
    acl: tuple[str, ...] = ()
    """Redis data-type ACL categories the run's user is granted (``sortedset``, ``string``...)."""
    promises: tuple[Promise, ...] = ()
    """The contract the task text makes, each promise with the checks that test it."""

    @property
    def old_module(self) -> str:
        """The file name ``practice start`` wrote before names had one spelling (``rate_limit.py``)."""
        return self.module.replace("-", "_")


@functools.cache
def load_exercises(data_dir: Path | None = None) -> tuple[Exercise, ...]:
    """Every exercise, in drill-folder order.

    Raises:
        DataFormatError: An ``exercise.yaml`` is malformed or its starter is missing.
    """
    root = resources.drills_dir(data_dir)
    found = sorted(root.glob("*/exercise.yaml")) if root.is_dir() else []
    return tuple(load_exercise(path) for path in found)


def exercise_names(data_dir: Path | None = None) -> list[str]:
    """Names of all exercises."""
    return [e.name for e in load_exercises(data_dir)]


def get_exercise(name: str, data_dir: Path | None = None) -> Exercise:
    """The exercise called ``name``.

    Raises:
        UnknownNameError: No such exercise (the message suggests the closest).
    """
    for exercise in load_exercises(data_dir):
        if exercise.name == name:
            return exercise
    raise UnknownNameError("exercise", name, exercise_names(data_dir))


def load_exercise(path: Path) -> Exercise:
    """Read and validate one ``exercise.yaml``.

    Raises:
        DataFormatError: With ``file:line`` of the problem.
    """
    doc = load_yaml(path)
    where = str(path)
    if not isinstance(doc, dict):
        raise DataFormatError(where, 1, "expected a mapping at the top level")
    top = line_of(doc, 1)
    for field in ("exercise", "drill", "difficulty", "task", "hints"):
        if field not in doc:
            raise DataFormatError(where, top, f"missing field {field!r}")
    if doc["exercise"] != path.parent.name:
        found = brief(doc["exercise"])
        raise DataFormatError(
            where, line_of_key(doc, "exercise"), f"exercise is {found}, folder is {path.parent.name!r}"
        )
    if not isinstance(doc["drill"], str) or not _NAME.match(doc["drill"]):
        found = brief(doc["drill"])
        raise DataFormatError(where, line_of_key(doc, "drill"), f"drill must be a drill's name, not {found}")
    if doc["difficulty"] not in _DIFFICULTIES:
        choices = ", ".join(_DIFFICULTIES)
        raise DataFormatError(where, line_of_key(doc, "difficulty"), f"difficulty must be one of {choices}")
    module = f"{doc['exercise']}.py"  # one spelling: the name typed is the file's name
    if doc.get("module", module) != module:
        found = brief(doc["module"])
        raise DataFormatError(
            where, line_of_key(doc, "module"), f"module must be {module!r} (the exercise's name), not {found}"
        )
    hints = doc["hints"]
    if not isinstance(hints, list) or not hints or not all(isinstance(h, str) for h in hints):
        raise DataFormatError(where, line_of_key(doc, "hints"), "hints must be a non-empty list of text")
    categories = doc.get("acl", [])
    if (
        not isinstance(categories, list)
        or not all(c in DATA_CATEGORIES for c in categories)
        or not categories
    ):
        choices = ", ".join(sorted(DATA_CATEGORIES))
        raise DataFormatError(
            where,
            line_of_key(doc, "acl") if "acl" in doc else top,
            f"acl must list data types among: {choices}",
        )
    promises = _promises(doc, where, top)
    starter = path.parent / "starter.py"
    if not starter.is_file():
        raise DataFormatError(where, top, f"missing starter module {starter.name}")
    return Exercise(
        name=str(doc["exercise"]),
        drill=doc["drill"],
        difficulty=doc["difficulty"],
        module=module,
        task=_text(doc, "task", where),
        hints=tuple(" ".join(h.split()) for h in hints),
        starter=starter,
        source=path,
        acl=tuple(categories),
        promises=promises,
    )


def _promises(doc: Any, where: str, top: int | None) -> tuple[Promise, ...]:
    """The ``promises`` list: each ``{promise: text, checks: [check ids], cards: [card ids]}`` (an
    empty list is allowed here, so that the catalogue tests can name the promise that lacks one)."""
    found = doc.get("promises", [])
    line = line_of_key(doc, "promises") if "promises" in doc else top
    if not isinstance(found, list):
        raise DataFormatError(where, line, "promises must be a list of {promise, checks}")
    out = []
    for item in found:
        at = line_of(item, line)
        if not isinstance(item, dict) or not isinstance(item.get("promise"), str):
            raise DataFormatError(where, at, "each promise needs 'promise' (text) and 'checks' (check ids)")
        checks = item.get("checks", [])
        if not isinstance(checks, list) or not all(isinstance(c, str) for c in checks):
            raise DataFormatError(where, at, "'checks' must be a list of check ids")
        cards = item.get("cards", [])
        if not isinstance(cards, list) or not all(isinstance(c, str) for c in cards):
            raise DataFormatError(where, at, "'cards' must be a list of flashcard ids")
        out.append(Promise(" ".join(item["promise"].split()), tuple(checks), at, tuple(cards)))
    return tuple(out)


def cards_for(exercise: Exercise, failed: Iterable[str]) -> list[str]:
    """The flashcards of the promises that the ``failed`` checks test, in promise order, once each."""
    missed = set(failed)
    return list(dict.fromkeys(c for p in exercise.promises if missed & set(p.checks) for c in p.cards))


def _text(doc: Any, field: str, where: str) -> str:
    value = doc[field]
    if not isinstance(value, str) or not value.strip():
        raise DataFormatError(where, line_of_key(doc, field), f"{field!r} must be non-empty text")
    return value.strip()
