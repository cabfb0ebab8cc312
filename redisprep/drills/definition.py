"""A drill's declaration: behaviour (steps, checks, reference pattern) joined to its YAML metadata."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from redisprep.drills.model import Check, DrillGroup, Question, Step
from redisprep.drills.requirements import Needs


@dataclass(frozen=True, slots=True, kw_only=True)
class Drill:
    """The code half of a drill, declared in ``redisprep/drills/<pkg>/__init__.py``.

    The name and the reference module follow from where it is declared: discovery fills them in
    (:meth:`placed`), so a package names neither.
    """

    steps: tuple[Step, ...]
    checks: tuple[Check, ...]
    """The checks practice grading runs against a learner's module."""
    interface: tuple[str, ...]
    """Function names an implementation must provide."""
    needs: Needs = field(default_factory=Needs)
    """The server version and commands the drill needs; checked before it writes anything."""
    name: str = ""
    """The word users type: ``redisprep drill <name>`` (its data folder's name)."""
    reference: str = ""
    """Dotted path of the module holding the reference implementation (``<package>.reference``)."""

    def placed(self, name: str, package: str) -> Drill:
        """This drill as found in ``package`` with the data folder ``name``: both filled in."""
        return replace(self, name=self.name or name, reference=self.reference or f"{package}.reference")


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
