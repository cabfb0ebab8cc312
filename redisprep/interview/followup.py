"""Make the cards behind missed rubric points due: one review rated Again each, through the quiz's FSRS."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from redisprep.interview.grade import Grade
from redisprep.quiz.scheduler import Rating, Review, SavedCard
from redisprep.quiz.store import Store


def missed_cards(grade: Grade) -> tuple[str, ...]:
    """The cards linked to the missed points, each once, in rubric order."""
    return tuple(dict.fromkeys(card for r in grade.missed for card in r.point.cards))


def make_due(grade: Grade, store_path: Path, now: datetime) -> tuple[str, ...]:
    """Log a review rated Again for each card of a missed point, so the next quiz asks it.

    The review goes through :meth:`Store.record` with the store's own scheduler, exactly as a quiz
    answer rated Again would (the log replays to the card states); nothing else is changed.

    Returns:
        The card ids reviewed.

    Raises:
        StoreError: The progress store cannot be written.
    """
    cards = missed_cards(grade)
    if not cards:
        return ()
    with Store(store_path) as store:
        for card_id in cards:

            def rate(saved: SavedCard | None, card_id: str = card_id) -> Review:
                return store.scheduler.review(card_id, saved, Rating.AGAIN, now)

            store.record(card_id, rate, correct=False)
    return cards
