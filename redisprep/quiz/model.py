"""The plain data of the quiz: cards, decks, expected replies and deck problems."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Union

CardKind = Literal["basic", "choice", "typed", "command", "predict"]
PredictKind = Literal["reply", "encoding", "complexity"]

CARD_KINDS: tuple[CardKind, ...] = ("basic", "choice", "typed", "command", "predict")
PREDICT_KINDS: tuple[PredictKind, ...] = ("reply", "encoding", "complexity")
#: The OBJECT ENCODING names Redis 7.0 can report.
ENCODINGS = ("listpack", "skiplist", "intset", "hashtable", "quicklist", "embstr", "raw", "int", "stream")
#: Names other releases report too: 6.2 calls the compact encoding ziplist.
OTHER_ENCODINGS = ("ziplist",)


@dataclass(frozen=True, slots=True)
class ErrorReply:
    """An error reply; an expected one matches any actual error that contains its text."""

    text: str
    """``WRONGTYPE Operation against ...`` (expected: any part of it, ``WRONGTYPE``)."""


#: A reply as redis-cli shows it: integers, text (bulk and status), nil, arrays, errors.
Reply = Union[int, str, None, ErrorReply, tuple["Reply", ...]]  # noqa: UP007 - a recursive alias needs Union


@dataclass(frozen=True, slots=True)
class Where:
    """Where something was declared: a file and a 1-based line."""

    path: str
    line: int | None

    def __str__(self) -> str:
        return self.path if self.line is None else f"{self.path}:{self.line}"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a deck, reported as ``file:line: problem``."""

    where: Where
    problem: str

    def __str__(self) -> str:
        return f"{self.where}: {self.problem}"


@dataclass(frozen=True, slots=True)
class Expect:
    """What a command card's answer must achieve (any command that does so passes)."""

    state: tuple[tuple[str, Reply], ...] = ()
    """``[command, reply]`` pairs run after the learner's command, each must give its reply."""
    has_reply: bool = False
    """Whether :attr:`reply` is checked (the expected reply itself may be nil)."""
    reply: Reply = None
    """The reply the learner's command must return, when :attr:`has_reply`."""


@dataclass(frozen=True, slots=True)
class Card:
    """One flashcard, validated; which optional fields are set depends on :attr:`kind`."""

    id: str
    """Stable and unique across all decks; progress is keyed by it."""
    kind: CardKind
    deck: str
    tags: tuple[str, ...]
    front: str
    explanation: str
    where: Where
    """The file and line of the card (its ``- id:`` line)."""
    drill: str | None = None
    """A drill that shows this for real (``redisprep drill <name>``)."""
    back: str | None = None
    """basic: the answer to reveal."""
    choices: tuple[str, ...] = ()
    """choice, predict complexity: the options, one equal to :attr:`answer`."""
    answer: Reply = None
    """The right answer: text, a model command, or for predict reply the reply."""
    accept: tuple[str, ...] = ()
    """typed: more accepted answers."""
    setup: tuple[str, ...] = ()
    """command, predict reply/encoding: redis-cli style commands run first on a fresh server."""
    expect: Expect | None = None
    """command: what the learner's command must achieve."""
    predict: PredictKind | None = None
    command: str | None = None
    """predict reply: the command whose reply to predict; complexity: the command's name."""
    key: str | None = None
    """predict encoding: the key whose OBJECT ENCODING to predict."""
    since: str | None = None
    """command, predict reply/encoding: the oldest release the card holds on (``redis-7.0``)."""
    answers: tuple[tuple[str, Reply], ...] = ()
    """predict reply/encoding: ``(release, answer)`` where a release answers otherwise than Redis
    7.0's :attr:`answer`, each from that release on (see :mod:`redisprep.quiz.versions`)."""
    field_lines: dict[str, int] = field(default_factory=dict, compare=False, hash=False)
    """The line of each field, for problems found after loading (a command card that fails)."""

    @property
    def uses_choices(self) -> bool:
        """Whether the learner picks one of :attr:`choices` rather than typing."""
        return self.kind == "choice" or (self.kind == "predict" and self.predict == "complexity")

    def line_of(self, name: str) -> Where:
        """Where field ``name`` was written (the card's line when unknown)."""
        return Where(self.where.path, self.field_lines.get(name, self.where.line))


@dataclass(frozen=True, slots=True)
class Deck:
    """One deck file."""

    id: str
    """The file name without ``.yaml``."""
    title: str
    path: str
    cards: tuple[Card, ...]
