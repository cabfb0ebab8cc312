"""A drill's declaration: behaviour (steps, checks, reference pattern) joined to its YAML metadata."""

from __future__ import annotations

from dataclasses import dataclass, field

from redisprep.drills.model import Check, DrillGroup, Question, Step
from redisprep.drills.requirements import Needs


@dataclass(frozen=True, slots=True)
class Drill:
    """The code half of a drill, declared in ``redisprep/drills/<name>/__init__.py``."""

    name: str
    """The word users type: ``redisprep drill <name>``."""
    steps: tuple[Step, ...]
    checks: tuple[Check, ...]
    """The checks practice grading runs against a learner's module."""
    reference: str
    """Dotted path of the module holding the reference implementation."""
    interface: tuple[str, ...]
    """Function names an implementation must provide."""
    needs: Needs = field(default_factory=Needs)
    """The server version and commands the drill needs; checked before it writes anything."""


@dataclass(frozen=True, slots=True)
class DrillMeta:
    """The data half of a drill, read from ``drills/<name>/drill.yaml``."""

    name: str
    title: str
    group: DrillGroup
    summary: str
    questions: tuple[Question, ...]
    order: int = 0
    """Position in ``drill list`` and ``drill all`` (ties by name)."""
    deck: str = ""
    """The flashcard deck of this drill (``flashcards/<deck>.yaml``); the drill's name by default."""


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    """A drill with its metadata."""

    drill: Drill
    meta: DrillMeta

    @property
    def name(self) -> str:
        return self.drill.name
