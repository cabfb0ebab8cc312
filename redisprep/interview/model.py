"""The plain data of an interview scenario: facts, stages, assumptions, deep dives and rubric points."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from redisprep.quiz.model import Where

#: The five stages every interview walks through, in order.
STAGES: tuple[str, ...] = ("requirements", "estimate", "data-model", "deep-dives", "rubric")
#: How a rubric point is checked.
CheckKind = Literal["assumptions", "memory", "run", "static", "dive", "proactive"]
CHECK_KINDS: tuple[CheckKind, ...] = ("assumptions", "memory", "run", "static", "dive", "proactive")


@dataclass(frozen=True, slots=True)
class Stage:
    """One stage of the interview and its share of the time."""

    id: str
    minutes: float
    prompt: str


@dataclass(frozen=True, slots=True)
class Assumption:
    """A number the candidate must state in stage 1, and the range an interviewer would accept."""

    name: str
    low: int
    high: int
    why: str


@dataclass(frozen=True, slots=True)
class Sizing:
    """Stage 2: what memory model fits, and which stated fact gives its entry count."""

    kinds: tuple[str, ...]
    """The ``redisprep size`` kinds a sound design uses (zset for a leaderboard)."""
    entries_fact: str
    """The fact whose value the model's keys × entries must reach (``daily_players``)."""


@dataclass(frozen=True, slots=True)
class DeepDive:
    """Stage 4: the interviewer pushes; the candidate picks among remedies."""

    id: str
    prompt: str
    choices: tuple[tuple[str, str], ...]
    """(letter, remedy) pairs."""
    best: tuple[str, ...]
    """The letters that earn the point."""
    proactive: tuple[str, ...]
    """Words which, written in an earlier stage's notes, show the candidate raised it unasked."""
    measure: str | None = None
    """A measurement run for this dive (``hot-key``: the hot-key drill's per-node load)."""
    remedies: tuple[tuple[str, str], ...] = ()
    """(letter, remedy measured) pairs: which measured remedy each choice amounts to."""


@dataclass(frozen=True, slots=True)
class Point:
    """One rubric point: what earns it, how it is checked, and what teaches it."""

    id: str
    earns: str
    kind: CheckKind
    target: tuple[str, ...]
    """What the check looks at: assumption names, a judge property, a static rule, a dive id."""
    cards: tuple[str, ...]
    drill: str
    bonus: bool
    where: Where


@dataclass(frozen=True, slots=True)
class Scenario:
    """One interview, as loaded from ``interviews/<id>.yaml``."""

    id: str
    title: str
    brief: str
    facts: tuple[tuple[str, int], ...]
    stages: tuple[Stage, ...]
    assumptions: tuple[Assumption, ...]
    sizing: Sizing
    judge: str
    """The data-model judge that runs the candidate's commands (:mod:`redisprep.interview.judges`)."""
    deep_dives: tuple[DeepDive, ...]
    points: tuple[Point, ...]
    path: str

    @property
    def minutes(self) -> float:
        """The whole interview's time budget."""
        return sum(s.minutes for s in self.stages)

    def fact(self, name: str) -> int | None:
        """A stated fact's value."""
        return dict(self.facts).get(name)

    def dive(self, dive_id: str) -> DeepDive | None:
        """A deep dive by id."""
        return next((d for d in self.deep_dives if d.id == dive_id), None)
