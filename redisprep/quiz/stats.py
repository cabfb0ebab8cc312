"""Progress figures: what is due today, reviews done, retention, and a 14-day due forecast."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from redisprep.quiz.model import Card
from redisprep.quiz.scheduler import CardState, Rating, SavedCard, parse_time
from redisprep.quiz.store import LogRow, to_ms

FORECAST_DAYS = 14
#: Retention is measured over the reviews of this many past days.
RETENTION_DAYS = 30


@dataclass(frozen=True, slots=True)
class Stats:
    """The figures ``redisprep quiz stats`` shows."""

    cards: int
    """Cards in the loaded decks."""
    new: int
    """Of those, never reviewed."""
    due_now: int
    due_today: int
    """Due before the end of today (overdue included)."""
    reviews_today: int
    reviews_total: int
    retention: float | None
    """Share of reviews of learned cards (state Review) not rated Again, over :data:`RETENTION_DAYS`."""
    retention_reviews: int
    """How many reviews :attr:`retention` is based on."""
    right_today: int
    """Auto-graded answers right today."""
    graded_today: int
    """Auto-graded answers today."""
    forecast: tuple[tuple[date, int], ...]
    """Cards falling due on each of the next :data:`FORECAST_DAYS` days (today includes overdue)."""


def start_of_day(moment: datetime, tz: tzinfo | None) -> datetime:
    """Midnight of ``moment``'s day in ``tz`` (the local zone when None)."""
    local = moment.astimezone(tz)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def compute_stats(
    cards: Sequence[Card],
    states: Mapping[str, SavedCard],
    logs: Sequence[LogRow],
    now: datetime,
    tz: tzinfo | None = None,
) -> Stats:
    """Figures for ``cards`` at ``now``; days are calendar days in ``tz``.

    Args:
        cards: The cards of the loaded decks (progress of removed cards is ignored).
        states: Saved states by card id.
        logs: Every review, in order.
        now: The current time (aware).
        tz: The learner's time zone (local when None).
    """
    today = start_of_day(now, tz)
    bounds = [today + timedelta(days=i) for i in range(FORECAST_DAYS + 1)]
    dues = [parse_time(states[c.id]["due"]) for c in cards if c.id in states]
    forecast = []
    for i in range(FORECAST_DAYS):
        low, high = bounds[i], bounds[i + 1]
        count = sum(1 for d in dues if (i == 0 or d >= low) and d < high)
        forecast.append((low.date(), count))
    today_ms, window_ms = to_ms(today), to_ms(now - timedelta(days=RETENTION_DAYS))
    todays = [log for log in logs if log.reviewed_ms >= today_ms]
    graded = [log for log in todays if log.correct is not None]
    learned = [log for log in logs if log.reviewed_ms >= window_ms and log.state_before == CardState.REVIEW]
    kept = sum(1 for log in learned if log.rating != Rating.AGAIN)
    return Stats(
        cards=len(cards),
        new=sum(1 for c in cards if c.id not in states),
        due_now=sum(1 for d in dues if d <= now),
        due_today=forecast[0][1],
        reviews_today=len(todays),
        reviews_total=len(logs),
        retention=kept / len(learned) if learned else None,
        retention_reviews=len(learned),
        right_today=sum(1 for log in graded if log.correct),
        graded_today=len(graded),
        forecast=tuple(forecast),
    )
