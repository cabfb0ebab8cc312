"""Run a quiz session: ask each queued card through an injected front end, judge, rate, record.

The core never prints: a :class:`SessionIO` (the terminal, or a test double) shows cards and reads
answers. Each review is committed before the next card is shown.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from redisprep.errors import DataFormatError
from redisprep.quiz.judge import Judgement, judge_choice, judge_command, judge_typed, verify_card
from redisprep.quiz.model import Card
from redisprep.quiz.planner import QueueItem
from redisprep.quiz.sandbox import sandbox_client
from redisprep.quiz.scheduler import Rating, Review, SavedCard, Scheduler
from redisprep.quiz.store import Store
from redisprep.release import EMBEDDED, Release

#: A card still in its learning steps that falls due within this comes back in the same session.
LEARN_AHEAD = timedelta(minutes=20)
#: ... but is asked at most this many times per session.
MAX_SHOWINGS = 3


@dataclass(frozen=True, slots=True)
class Progress:
    """Where the session is."""

    position: int
    """1-based number of this showing."""
    total: int
    """Showings planned so far: grows when a card comes back, never beyond the session's limit."""
    right: int
    wrong: int


class SessionIO(Protocol):
    """What a front end does for a session. Reading methods return None when the learner quits."""

    def show_card(self, item: QueueItem, progress: Progress, choices: Sequence[str]) -> None: ...

    def read_answer(self, item: QueueItem) -> str | None: ...

    def read_choice(self, item: QueueItem, choices: Sequence[str]) -> int | None: ...

    def reveal(self, item: QueueItem) -> bool: ...

    def read_rating(
        self, item: QueueItem, preview: dict[Rating, datetime], now: datetime
    ) -> Rating | None: ...

    def show_judgement(self, item: QueueItem, judgement: Judgement) -> None: ...

    def show_scheduled(
        self, item: QueueItem, rating: Rating, due: datetime | None, now: datetime
    ) -> None: ...


@dataclass
class SessionSummary:
    """What a session did."""

    shown: int = 0
    right: int = 0
    wrong: int = 0
    recorded: int = 0
    quit_early: bool = False
    cram: bool = False
    ratings: Counter[Rating] = field(default_factory=Counter)
    next_due: datetime | None = None
    """The earliest due time among the cards reviewed (None in cram)."""


@dataclass
class Session:
    """One run through a queue.

    Args:
        queue: The planned cards (see :func:`redisprep.quiz.planner.plan`).
        io: The front end.
        scheduler: FSRS, with the store's parameters.
        store: Where reviews are recorded; None in cram mode.
        clock: The current time (aware); injected so tests and ``--now`` control it.
        seed: Seeds the order of choices; None for a fresh order each session.
        timer: Monotonic seconds, to measure how long each answer took.
        release: The server the learner prepares for (``quiz --url``): predict cards whose answer
            differs between releases are judged with its answer. Default: Redis 7.0, which the
            embedded server imitates.
        check: Raises :class:`DataFormatError` when a command or predict card's own answer does
            not hold; called before the card is shown (the CLI remembers cards that held).
    """

    queue: Sequence[QueueItem]
    io: SessionIO
    scheduler: Scheduler
    store: Store | None
    clock: Callable[[], datetime]
    seed: int | None = None
    timer: Callable[[], float] = time.monotonic
    release: Release = EMBEDDED
    check: Callable[[Card], None] = field(default=lambda card: check_card(card))
    summary: SessionSummary = field(default_factory=SessionSummary)
    limit: int | None = None
    """At most this many showings, the cards that come back included (``quiz --limit``)."""

    def run(self) -> SessionSummary:
        """Ask every card; stop early when the front end reports that the learner quit."""
        pending = list(self.queue)
        showings: Counter[str] = Counter()
        self.summary.cram = self.store is None
        if self.limit is not None:
            del pending[self.limit :]
        while pending:
            item = pending.pop(0)
            showings[item.card.id] += 1
            progress = Progress(
                self.summary.shown + 1,
                self.summary.shown + 1 + len(pending),
                self.summary.right,
                self.summary.wrong,
            )
            review = self._ask(item, progress)
            if review is None:
                self.summary.quit_early = True
                break
            due = review.due
            if (
                self.store is not None
                and due <= self.clock() + LEARN_AHEAD
                and showings[item.card.id] < MAX_SHOWINGS
                and (self.limit is None or self.summary.shown + len(pending) < self.limit)
            ):
                pending.append(QueueItem(item.card, review.after, 0.0, "again"))
        return self.summary

    def _ask(self, item: QueueItem, progress: Progress) -> Review | None:
        card = item.card
        self.check(card)
        choices = self._choices(card)
        self.io.show_card(item, progress, choices)
        started = self.timer()
        judgement: Judgement | None = None
        if card.kind == "basic":
            if not self.io.reveal(item):
                return None
            preview = self.scheduler.preview(card.id, item.saved, self.clock())
            rating = self.io.read_rating(item, preview, self.clock())
            if rating is None:
                return None
        else:
            judgement = self._judge(item, choices)
            if judgement is None:
                return None
            self.io.show_judgement(item, judgement)
            rating = Rating.GOOD if judgement.correct else Rating.AGAIN
        duration = int((self.timer() - started) * 1000)
        review = self._record(item, rating, duration, None if judgement is None else judgement.correct)
        self.summary.shown += 1
        self.summary.ratings[rating] += 1
        if judgement is not None:
            self.summary.right += judgement.correct
            self.summary.wrong += not judgement.correct
        if self.store is not None:
            self.summary.recorded += 1
            if self.summary.next_due is None or review.due < self.summary.next_due:
                self.summary.next_due = review.due
        self.io.show_scheduled(item, rating, None if self.store is None else review.due, self.clock())
        return review

    def _judge(self, item: QueueItem, choices: Sequence[str]) -> Judgement | None:
        card = item.card
        if card.uses_choices:
            index = self.io.read_choice(item, choices)
            return None if index is None else judge_choice(card, choices[index])
        text = self.io.read_answer(item)
        if text is None:
            return None
        return judge_command(card, text) if card.kind == "command" else judge_typed(card, text, self.release)

    def _record(self, item: QueueItem, rating: Rating, duration_ms: int, correct: bool | None) -> Review:
        now = self.clock()
        card_id = item.card.id

        def rate(saved: SavedCard | None) -> Review:
            return self.scheduler.review(card_id, saved, rating, now, duration_ms)

        if self.store is None:
            return rate(item.saved)
        return self.store.record(card_id, rate, correct)

    def _choices(self, card: Card) -> tuple[str, ...]:
        if not card.uses_choices:
            return ()
        rng = random.Random(f"{self.seed}:{card.id}") if self.seed is not None else random.Random()
        return tuple(rng.sample(card.choices, len(card.choices)))


def check_card(card: Card) -> None:
    """A command or predict card whose own answer does not hold stops the session (file:line)."""
    if card.kind == "command" or (card.kind == "predict" and card.predict != "complexity"):
        problems = verify_card(card, sandbox_client)
        if problems:
            raise DataFormatError(problems[0].where.path, problems[0].where.line, problems[0].problem)
