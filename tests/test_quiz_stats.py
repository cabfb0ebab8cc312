"""quiz stats: due counts by calendar day, reviews done, retention of learned cards, the 14-day forecast."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from redisprep.quiz.deck import load_decks
from redisprep.quiz.scheduler import CardState, Rating, SavedCard, Scheduler
from redisprep.quiz.stats import compute_stats
from redisprep.quiz.store import LogRow, to_ms

GOOD = Path(__file__).parent / "fixtures" / "quiz" / "decks"
NOW = datetime(2025, 3, 10, 15, 0, tzinfo=timezone.utc)


def _due(card_id: str, when: datetime) -> SavedCard:
    saved = Scheduler().new_card(card_id, when)
    saved["state"] = CardState.REVIEW
    return saved


def _log(seq: int, rating: Rating, when: datetime, before: CardState, correct: bool | None) -> LogRow:
    return LogRow(seq, f"c{seq}", int(rating), to_ms(when), int(before), correct, "s", _due("x", when))


def test_stats_count_by_day_and_measure_retention_on_learned_cards() -> None:
    cards = [c for d in load_decks([GOOD]) for c in d.cards]
    ids = [c.id for c in cards]
    states = {
        ids[0]: _due(ids[0], NOW - timedelta(days=2)),  # overdue: due now and today
        ids[1]: _due(ids[1], NOW + timedelta(hours=3)),  # later today
        ids[2]: _due(ids[2], NOW + timedelta(days=1)),
        ids[3]: _due(ids[3], NOW + timedelta(days=13, hours=1)),  # the last forecast day
        ids[4]: _due(ids[4], NOW + timedelta(days=40)),  # beyond the forecast
        "removed-card": _due("removed-card", NOW),  # no longer in a deck: ignored
    }
    logs = [
        _log(1, Rating.GOOD, NOW - timedelta(days=40), CardState.REVIEW, True),  # too old for retention
        _log(2, Rating.AGAIN, NOW - timedelta(days=3), CardState.REVIEW, False),
        _log(3, Rating.GOOD, NOW - timedelta(days=2), CardState.REVIEW, None),
        _log(4, Rating.HARD, NOW - timedelta(hours=2), CardState.REVIEW, True),
        _log(5, Rating.EASY, NOW - timedelta(hours=1), CardState.REVIEW, True),
        _log(6, Rating.AGAIN, NOW - timedelta(hours=1), CardState.NEW, False),  # learning: not retention
    ]
    stats = compute_stats(cards, states, logs, NOW, tz=timezone.utc)
    assert (stats.cards, stats.new) == (10, 5)
    assert (stats.due_now, stats.due_today) == (1, 2)
    assert (stats.reviews_today, stats.reviews_total) == (3, 6)
    assert (stats.right_today, stats.graded_today) == (2, 3)
    assert stats.retention == 3 / 4 and stats.retention_reviews == 4
    assert len(stats.forecast) == 14
    assert stats.forecast[0] == (date(2025, 3, 10), 2)
    assert stats.forecast[1] == (date(2025, 3, 11), 1)
    assert stats.forecast[13] == (date(2025, 3, 23), 1)
    assert sum(n for _, n in stats.forecast) == 4


def test_days_follow_the_learners_time_zone() -> None:
    cards = [c for d in load_decks([GOOD]) for c in d.cards]
    states = {cards[0].id: _due(cards[0].id, datetime(2025, 3, 11, 3, 0, tzinfo=timezone.utc))}
    utc = compute_stats(cards, states, [], NOW, tz=timezone.utc)
    west = compute_stats(cards, states, [], NOW, tz=timezone(timedelta(hours=-5)))
    assert utc.due_today == 0 and utc.forecast[1][1] == 1  # 03:00 UTC on 11 March is tomorrow
    assert west.due_today == 1  # but still the evening of 10 March at UTC-5
