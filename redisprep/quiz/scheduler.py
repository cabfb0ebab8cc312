"""FSRS scheduling kept pure: the clock is passed in and a card's state is plain saved data.

Wraps the ``fsrs`` package (6.x). Interval fuzz is drawn from a generator seeded by the card and its
previous review instead of ``fsrs``'s global ``random()``, so the intervals shown before rating are
exactly the ones recorded, and replaying the review log reproduces every card's state.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import IntEnum
from typing import Any, TypedDict


class Rating(IntEnum):
    """How well the learner recalled a card (the values of ``fsrs.Rating``)."""

    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4


class CardState(IntEnum):
    """A card's learning state (``fsrs.State``); NEW means never reviewed."""

    NEW = 0
    LEARNING = 1
    REVIEW = 2
    RELEARNING = 3


class SavedCard(TypedDict):
    """A card's scheduling state as stored (the fields of ``fsrs.Card.to_dict()``)."""

    card_id: int
    state: int
    step: int | None
    stability: float | None
    difficulty: float | None
    due: str
    last_review: str | None


@dataclass(frozen=True, slots=True)
class Review:
    """The outcome of rating a card: its next state and the log line to keep."""

    after: SavedCard
    rating: Rating
    reviewed_at: datetime
    duration_ms: int | None
    state_before: CardState

    @property
    def due(self) -> datetime:
        """When the card is due next."""
        return parse_time(self.after["due"])


def scheduler_id(card_id: str) -> int:
    """The integer id FSRS keys a card by: a stable 63-bit hash of the card's string id."""
    return int.from_bytes(hashlib.blake2b(card_id.encode(), digest_size=8).digest(), "big") >> 1


def parse_time(text: str) -> datetime:
    """An ISO-8601 time from saved state, as an aware UTC datetime."""
    return datetime.fromisoformat(text).astimezone(timezone.utc)


def utc(moment: datetime) -> datetime:
    """``moment`` converted to UTC (FSRS insists on ``timezone.utc``).

    Raises:
        ValueError: ``moment`` is naive.
    """
    if moment.tzinfo is None:
        raise ValueError("times must be timezone-aware")
    return moment.astimezone(timezone.utc)


class Scheduler:
    """FSRS with fixed parameters; every method takes the time it should act at."""

    def __init__(self, parameters: dict[str, Any] | None = None, desired_retention: float = 0.9) -> None:
        """Args:
        parameters: A saved ``fsrs.Scheduler.to_dict()`` (the store keeps one, so an upgrade of
            ``fsrs`` with new defaults does not change schedules already made).
        desired_retention: For a new scheduler: the recall probability at which a card falls due.
        """
        import fsrs

        if parameters is None:
            self._fsrs = fsrs.Scheduler(desired_retention=desired_retention, enable_fuzzing=False)
        else:
            self._fsrs = fsrs.Scheduler.from_dict({**parameters, "enable_fuzzing": False})
        self._fuzz = bool(parameters.get("enable_fuzzing", True)) if parameters else True

    def to_json(self) -> str:
        """The parameters, to store (fuzzing marked on: this class applies its own)."""
        return json.dumps({**self._fsrs.to_dict(), "enable_fuzzing": self._fuzz})

    @property
    def desired_retention(self) -> float:
        """The recall probability at which a card falls due."""
        return float(self._fsrs.desired_retention)

    def new_card(self, card_id: str, now: datetime) -> SavedCard:
        """The state of a card never reviewed (due at ``now``)."""
        import fsrs

        return _saved(fsrs.Card(card_id=scheduler_id(card_id), due=utc(now)))

    def review(
        self,
        card_id: str,
        saved: SavedCard | None,
        rating: Rating,
        now: datetime,
        duration_ms: int | None = None,
    ) -> Review:
        """Rate a card at ``now``; returns its next state. ``saved`` is None for a new card."""
        import fsrs

        now = utc(now)
        before = saved or self.new_card(card_id, now)
        state_before = CardState(before["state"]) if saved is not None else CardState.NEW
        card = fsrs.Card.from_dict(dict(before))
        after, _log = self._fsrs.review_card(card, fsrs.Rating(int(rating)), review_datetime=now)
        if self._fuzz and after.state == fsrs.State.Review:
            after.due = now + timedelta(days=self._fuzzed_days((after.due - now).days, before))
        return Review(_saved(after), rating, now, duration_ms, state_before)

    def preview(self, card_id: str, saved: SavedCard | None, now: datetime) -> dict[Rating, datetime]:
        """When the card would be due after each rating (what basic cards show before rating)."""
        return {r: self.review(card_id, saved, r, now).due for r in Rating}

    def retrievability(self, saved: SavedCard | None, at: datetime) -> float:
        """The predicted probability of recalling the card at ``at`` (0 for a card never reviewed)."""
        import fsrs

        if saved is None:
            return 0.0
        return float(self._fsrs.get_card_retrievability(fsrs.Card.from_dict(dict(saved)), utc(at)))

    def _fuzzed_days(self, days: int, before: SavedCard) -> int:
        """fsrs's fuzz range around ``days``, drawn from a generator seeded by the card's history."""
        from fsrs.scheduler import FUZZ_RANGES

        if days < 2.5:
            return days
        delta = 1.0 + float(
            sum(r["factor"] * max(min(float(days), r["end"]) - r["start"], 0.0) for r in FUZZ_RANGES)
        )
        high = min(round(days + delta), int(self._fsrs.maximum_interval))
        low = min(max(2, round(days - delta)), high)
        rng = random.Random(f"{before['card_id']}:{before['last_review']}")
        return min(round(rng.random() * (high - low + 1) + low), int(self._fsrs.maximum_interval))


def _saved(card: Any) -> SavedCard:
    data = card.to_dict()
    return SavedCard(
        card_id=int(data["card_id"]),
        state=int(data["state"]),
        step=data["step"],
        stability=data["stability"],
        difficulty=data["difficulty"],
        due=str(data["due"]),
        last_review=data["last_review"],
    )
