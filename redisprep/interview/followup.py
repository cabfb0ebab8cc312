"""Make the cards behind missed rubric points due: one review rated Again each, through the quiz's FSRS."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from redisprep.interview.grade import Grade
from redisprep.quiz import followup
from redisprep.quiz.store import Store


def missed_cards(grade: Grade) -> tuple[str, ...]:
    """The cards linked to the missed points, each once, in rubric order."""
    return tuple(dict.fromkeys(card for r in grade.missed for card in r.point.cards))


def make_due(grade: Grade, store_path: Path, now: datetime) -> tuple[str, ...]:
    """Log a review rated Again for each card of a missed point, so the next quiz asks it.

    The same follow-up as a failed practice check (:func:`redisprep.quiz.followup.make_due`): a card
    already due or still being relearnt is not lapsed twice.

    Returns:
        The card ids reviewed.

    Raises:
        StoreError: The progress store cannot be written.
    """
    cards = missed_cards(grade)
    if not cards:
        return ()
    with Store(store_path) as store:
        return tuple(followup.make_due(store, cards, now))
