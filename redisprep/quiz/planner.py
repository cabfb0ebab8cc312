"""Choose and order the cards of a session: due cards by lowest predicted recall, then new ones."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from redisprep.errors import UnknownNameError
from redisprep.quiz.model import Card, Deck
from redisprep.quiz.scheduler import SavedCard, Scheduler, parse_time
from redisprep.quiz.stats import start_of_day
from redisprep.quiz.store import Store

#: New cards started per day unless ``--new`` says otherwise (Anki's default too).
NEW_PER_DAY = 20


@dataclass(frozen=True, slots=True)
class Selection:
    """What the learner asked for on the command line."""

    decks: tuple[str, ...] = ()
    """Only these decks (all when empty)."""
    tags: tuple[str, ...] = ()
    """Only cards with at least one of these tags (all when empty)."""
    limit: int | None = None
    """At most this many cards."""
    cram: bool = False
    """Every matching card, due or not; nothing is recorded."""
    interview: datetime | None = None
    """Put first the cards whose predicted recall at this moment is lowest."""
    new_per_day: int | None = None
    """New cards to start per day (default :data:`NEW_PER_DAY`, more when an interview is near)."""
    drills: tuple[str, ...] = ()
    """Only cards that one of these drills shows for real (the card's ``drill``; all when empty)."""


@dataclass(frozen=True, slots=True)
class QueueItem:
    """A card to ask, with its saved state and why it is asked."""

    card: Card
    saved: SavedCard | None
    recall: float
    """Predicted recall at the moment that orders the queue (now, or the interview)."""
    reason: str
    """``new``, ``due``, ``cram`` or ``again`` (still learning: back within the session)."""


def select_cards(decks: Sequence[Deck], selection: Selection) -> list[Card]:
    """The cards of the chosen decks that carry one of the chosen tags and drills, in deck order.

    Raises:
        UnknownNameError: A deck, tag or drill that no loaded deck has (with the closest names).
    """
    by_id = {d.id: d for d in decks}
    for name in selection.decks:
        if name not in by_id:
            raise UnknownNameError("deck", name, list(by_id))
    chosen = [by_id[n] for n in dict.fromkeys(selection.decks)] if selection.decks else list(decks)
    cards = [c for d in chosen for c in d.cards]
    taught = {c.drill for c in cards if c.drill is not None}
    for drill in selection.drills:
        if drill not in taught:
            raise UnknownNameError("drill", drill, sorted(taught))
    if selection.tags:
        known = {t for c in cards for t in c.tags}
        for tag in selection.tags:
            if tag not in known:
                raise UnknownNameError("tag", tag, sorted(known))
        wanted = set(selection.tags)
        cards = [c for c in cards if wanted.intersection(c.tags)]
    if selection.drills:
        cards = [c for c in cards if c.drill in selection.drills]
    return cards


def new_quota(selection: Selection, unseen: int, started_today: int, now: datetime) -> int:
    """How many new cards to start now.

    With an interview date and no explicit ``--new``, enough per day to see every card before it.
    """
    per_day = selection.new_per_day
    if per_day is None:
        per_day = NEW_PER_DAY
        if selection.interview is not None:
            days_left = max(1, (selection.interview.date() - now.date()).days)
            per_day = max(NEW_PER_DAY, math.ceil((unseen + started_today) / days_left))
    return max(0, per_day - started_today)


def plan(
    cards: Sequence[Card],
    states: Mapping[str, SavedCard],
    scheduler: Scheduler,
    now: datetime,
    selection: Selection,
    started_today: int = 0,
) -> tuple[QueueItem, ...]:
    """The session's queue.

    Without an interview date: due cards, lowest predicted recall now first, then new cards in deck
    order. With one: the same cards ordered by predicted recall on the interview day, lowest first
    (a card never seen counts as 0). Cram: every matching card, ordered the same way.
    """
    target = selection.interview or now
    order = {c.id: i for i, c in enumerate(cards)}

    def item(card: Card, reason: str) -> QueueItem:
        saved = states.get(card.id)
        return QueueItem(card, saved, scheduler.retrievability(saved, target), reason)

    if selection.cram:
        queue = [item(c, "cram") for c in cards]
    else:
        due = [item(c, "due") for c in cards if c.id in states and parse_time(states[c.id]["due"]) <= now]
        unseen = [c for c in cards if c.id not in states]
        quota = new_quota(selection, len(unseen), started_today, now)
        queue = sorted(due, key=lambda q: (q.recall, order[q.card.id]))
        queue += [item(c, "new") for c in unseen[:quota]]
    if selection.interview is not None or selection.cram:
        queue.sort(key=lambda q: (q.recall, order[q.card.id]))
    if selection.limit is not None:
        queue = queue[: selection.limit]
    return tuple(queue)


def build_queue(
    store: Store, cards: Sequence[Card], selection: Selection, now: datetime, tz: tzinfo | None = None
) -> tuple[QueueItem, ...]:
    """:func:`plan` with the states and today's new-card count read from ``store``."""
    started = store.first_reviews_since(start_of_day(now, tz))
    states = store.states()
    return plan(cards, states, store.scheduler, now, selection, len(started))
