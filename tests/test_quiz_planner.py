"""The session's queue: how many new cards, which are due, in what order, and why each is asked."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from redisprep.errors import UnknownNameError
from redisprep.quiz.deck import load_decks
from redisprep.quiz.model import Card
from redisprep.quiz.planner import NEW_PER_DAY, Selection, build_queue, new_quota, plan, select_cards
from redisprep.quiz.scheduler import Rating, SavedCard, Scheduler
from redisprep.quiz.store import Store

GOOD = Path(__file__).parent / "fixtures" / "quiz" / "decks"
T0 = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)
SCHED = Scheduler()
CARDS = select_cards(load_decks([GOOD]), Selection())


def _reviewed(card: Card, at: datetime) -> SavedCard:
    """The state after one GOOD review at ``at`` (due some time after)."""
    return SCHED.review(card.id, None, Rating.GOOD, at).after


def _due_at(card: Card, due: datetime) -> SavedCard:
    state = _reviewed(card, T0 - timedelta(days=3))
    state["due"] = due.isoformat()
    return state


@pytest.mark.parametrize(
    ("days_ahead", "unseen", "started", "quota"),
    [
        (4, 100, 0, 25),  # ceil(100 / 4) per day
        (4, 100, 5, 22),  # ceil(105 / 4) = 27, 5 of them started today
        (1, 30, 0, 30),  # tomorrow: all of them today
        (0, 30, 0, 30),  # today (later): no fewer than one day's worth
        (30, 100, 0, NEW_PER_DAY),  # far away: the usual pace
    ],
)
def test_an_interview_sets_the_new_card_pace_to_see_every_card_before_it(
    days_ahead: int, unseen: int, started: int, quota: int
) -> None:
    selection = Selection(interview=T0 + timedelta(days=days_ahead, hours=1))
    assert new_quota(selection, unseen, started, T0) == quota


def test_an_explicit_pace_wins_over_the_interview_and_never_goes_below_zero() -> None:
    assert new_quota(Selection(new_per_day=3, interview=T0 + timedelta(days=1)), 100, 0, T0) == 3
    assert new_quota(Selection(new_per_day=3), 100, 5, T0) == 0


def test_each_item_says_why_it_is_asked_and_carries_its_state() -> None:
    a, b, *rest = CARDS
    states = {a.id: _due_at(a, T0), b.id: _due_at(b, T0 + timedelta(seconds=1))}  # a due exactly now
    queue = plan(CARDS, states, SCHED, T0, Selection())
    reasons = {q.card.id: q.reason for q in queue}
    assert reasons[a.id] == "due" and b.id not in reasons
    assert {reasons[c.id] for c in rest} == {"new"}
    assert queue[0].saved == states[a.id] and all(q.saved is None for q in queue[1:])
    cram = plan(CARDS, states, SCHED, T0, Selection(cram=True))
    assert {q.reason for q in cram} == {"cram"} and len(cram) == len(CARDS)


def test_without_an_interview_due_cards_come_before_new_ones_and_new_ones_in_deck_order() -> None:
    a = CARDS[-1]
    queue = plan(CARDS, {a.id: _due_at(a, T0)}, SCHED, T0, Selection())
    assert [q.card.id for q in queue] == [a.id, *(c.id for c in CARDS[:-1])]


def test_with_an_interview_cards_never_seen_come_first_as_they_would_be_recalled_least() -> None:
    a = CARDS[0]
    queue = plan(CARDS, {a.id: _due_at(a, T0)}, SCHED, T0, Selection(interview=T0 + timedelta(days=5)))
    assert [q.card.id for q in queue] == [*(c.id for c in CARDS[1:]), a.id]
    assert queue[-1].recall > 0 and {q.recall for q in queue[:-1]} == {0.0}


def test_a_limit_cuts_the_queue_and_no_limit_keeps_it() -> None:
    assert len(plan(CARDS, {}, SCHED, T0, Selection(limit=2))) == 2
    assert len(plan(CARDS, {}, SCHED, T0, Selection())) == min(len(CARDS), NEW_PER_DAY)


def test_an_unknown_tag_is_named_with_the_closest_known_one() -> None:
    with pytest.raises(UnknownNameError) as caught:
        select_cards(load_decks([GOOD]), Selection(tags=("encodng",)))
    assert str(caught.value) == "unknown tag 'encodng'; did you mean 'encoding'?"


def test_the_new_cards_started_today_are_counted_from_midnight_in_the_users_zone(tmp_path: Path) -> None:
    """At 00:30 in UTC+2: a card started at 23:00 (UTC+2) was yesterday's, one started at 00:10 is
    today's, although in UTC both were started on the same day (21:00 and 22:10 UTC)."""
    zone = timezone(timedelta(hours=2))
    now = datetime(2025, 3, 2, 0, 30, tzinfo=zone)
    with Store(tmp_path / "progress.sqlite3") as store:
        for card, at in ((CARDS[0], now - timedelta(minutes=90)), (CARDS[1], now - timedelta(minutes=20))):
            store.record(
                card.id, lambda saved, c=card, t=at: store.scheduler.review(c.id, saved, Rating.AGAIN, t)
            )
        pace = Selection(new_per_day=3)
        new = [q for q in build_queue(store, CARDS, pace, now, tz=zone) if q.reason == "new"]
        assert len(new) == 2  # 3 a day, 1 started today (in UTC+2)
        utc_day = [q for q in build_queue(store, CARDS, pace, now, tz=timezone.utc) if q.reason == "new"]
        assert len(utc_day) == 1  # in UTC both were started on 1 March


SHIPPED_DIR = Path(__file__).parent.parent / "flashcards"
SHIPPED = select_cards(load_decks([SHIPPED_DIR]), Selection())


def test_a_drill_selects_exactly_the_cards_that_name_it_across_decks() -> None:
    chosen = select_cards(load_decks([SHIPPED_DIR]), Selection(drills=("lock",)))
    assert chosen == [c for c in SHIPPED if c.drill == "lock"]
    assert len(chosen) >= 8


def test_two_drills_select_the_cards_of_either_and_tags_narrow_them() -> None:
    decks = load_decks([SHIPPED_DIR])
    both = select_cards(decks, Selection(drills=("lock", "cache")))
    assert {c.drill for c in both} == {"lock", "cache"}
    tag = both[0].tags[0]
    tagged = select_cards(decks, Selection(drills=("lock", "cache"), tags=(tag,)))
    assert tagged == [c for c in both if tag in c.tags]
    assert len(tagged) < len(both)


def test_an_unknown_drill_is_named_with_the_closest_drill_that_has_cards() -> None:
    decks = load_decks([SHIPPED_DIR])
    with pytest.raises(UnknownNameError, match="unknown drill 'lokc'; did you mean 'lock'"):
        select_cards(decks, Selection(drills=("lokc",)))


def test_every_drill_in_the_catalog_has_cards_to_point_to() -> None:
    from redisprep.drills.catalog import load_metas

    taught = {c.drill for c in SHIPPED}
    assert {m.name for m in load_metas(None)} <= taught
