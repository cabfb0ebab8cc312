"""Make the cards behind a failed check due: one review rated Again each, logged through the scheduler.

The review goes through :meth:`Store.record` and :meth:`Scheduler.review` like any answer in a
session (it is in the review log, and FSRS moves the card back to relearning), so the next
``redisprep quiz`` asks those cards first. A card already due, or still in its short (re)learning
steps, is left alone: grading the same mistake again before the learner has reviewed the card
(``practice watch`` re-grades on every save) does not pile up lapses.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from redisprep.quiz.scheduler import CardState, Rating, Review, SavedCard, parse_time, utc
from redisprep.quiz.store import Store


def make_due(store: Store, card_ids: Sequence[str], now: datetime) -> list[str]:
    """Log an Again review at ``now`` for each of ``card_ids`` not already lined up; returns those.

    Raises:
        StoreError: The progress store could not be written.
    """
    now = utc(now)
    states = store.states()
    made = []
    for card_id in dict.fromkeys(card_ids):
        saved = states.get(card_id)
        if saved is not None and (
            parse_time(saved["due"]) <= now or saved["state"] in (CardState.LEARNING, CardState.RELEARNING)
        ):
            continue

        def again(before: SavedCard | None, card_id: str = card_id) -> Review:
            return store.scheduler.review(card_id, before, Rating.AGAIN, now)

        store.record(card_id, again)
        made.append(card_id)
    return made
