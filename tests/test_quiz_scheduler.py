"""FSRS scheduling: harder ratings come back sooner, previews are what gets recorded, ids are stable."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redisprep.quiz.scheduler import CardState, Rating, SavedCard, Scheduler, parse_time, scheduler_id

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)
SCHED = Scheduler()
#: scheduler_id('fx-command-add-points') as stored progress keys it today (a change orphans stored reviews).
SCHEDULER_ID_OF_ADD_POINTS = 3420834037040103805

#: A history: (rating, hours waited before it).
histories = st.lists(
    st.tuples(st.sampled_from(list(Rating)), st.floats(min_value=0, max_value=24 * 60)),
    max_size=8,
)


def replay(history: list[tuple[Rating, float]], card_id: str = "c") -> tuple[SavedCard | None, datetime]:
    saved: SavedCard | None = None
    now = T0
    for rating, hours in history:
        now = now + timedelta(hours=hours)
        saved = SCHED.review(card_id, saved, rating, now).after
    return saved, now


@settings(max_examples=150, deadline=None)
@given(histories, st.floats(min_value=0, max_value=24 * 90))
def test_a_harder_rating_is_never_due_later(history: list[tuple[Rating, float]], wait_hours: float) -> None:
    saved, now = replay(history)
    now += timedelta(hours=wait_hours)
    due = SCHED.preview("c", saved, now)
    assert due[Rating.AGAIN] <= due[Rating.HARD] <= due[Rating.GOOD] <= due[Rating.EASY]
    assert due[Rating.AGAIN] < due[Rating.EASY]
    assert all(d > now for d in due.values())


@settings(max_examples=100, deadline=None)
@given(histories)
def test_the_preview_is_exactly_what_is_recorded(history: list[tuple[Rating, float]]) -> None:
    saved, now = replay(history)
    preview = SCHED.preview("c", saved, now)
    for rating in Rating:
        assert SCHED.review("c", saved, rating, now).due == preview[rating]


@settings(max_examples=100, deadline=None)
@given(histories)
def test_replaying_a_history_gives_the_same_state(history: list[tuple[Rating, float]]) -> None:
    assert replay(history) == replay(history)


def test_a_new_card_rated_again_comes_back_within_minutes_and_easy_in_days() -> None:
    due = SCHED.preview("c", None, T0)
    assert due[Rating.AGAIN] - T0 == timedelta(minutes=1)
    assert due[Rating.GOOD] - T0 == timedelta(minutes=10)
    assert due[Rating.EASY] - T0 >= timedelta(days=1)


def test_recall_falls_with_time_and_is_zero_for_an_unseen_card() -> None:
    saved, now = replay([(Rating.GOOD, 0), (Rating.GOOD, 0.2), (Rating.GOOD, 72)])
    assert saved is not None and saved["state"] == CardState.REVIEW
    recalls = [SCHED.retrievability(saved, now + timedelta(days=d)) for d in (1, 7, 30, 90)]
    assert recalls == sorted(recalls, reverse=True) and recalls[0] < 1 and recalls[-1] > 0
    assert SCHED.retrievability(None, now) == 0.0
    # A card falls due when predicted recall reaches the desired retention (0.9).
    due = parse_time(saved["due"])
    assert SCHED.retrievability(saved, due - timedelta(days=1)) >= 0.9 - 0.02
    assert SCHED.retrievability(saved, due + timedelta(days=2)) < 0.9


def test_fuzz_spreads_cards_reviewed_alike() -> None:
    dues = set()
    for i in range(30):
        saved, now = replay([(Rating.GOOD, 0), (Rating.GOOD, 0.2), (Rating.GOOD, 72)], card_id=f"card-{i}")
        assert saved is not None
        dues.add((parse_time(saved["due"]) - now).days)
    assert len(dues) > 1


def test_fuzz_is_drawn_anew_for_each_review_of_one_card() -> None:
    """One card, the same history started at different hours: FSRS gives the same interval each
    time, the fuzz must not (a generator seeded by the card alone would fuzz every review alike)."""
    offsets = set()
    for start in range(30):
        saved, now = None, T0 + timedelta(hours=start)
        for rating, hours in [(Rating.GOOD, 0), (Rating.GOOD, 0.2), (Rating.GOOD, 72)]:
            now += timedelta(hours=hours)
            saved = SCHED.review("one-card", saved, rating, now).after
        assert saved is not None
        offsets.add(parse_time(saved["due"]) - now)
    assert len(offsets) > 1


def test_times_must_be_timezone_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        SCHED.review("c", None, Rating.GOOD, datetime(2025, 3, 1, 9, 0))


def test_scheduler_ids_are_stable_across_processes_and_fit_sqlite() -> None:
    ids = ["zset-zincrby-atomic", "fx-command-add-points", "a"]
    here = [scheduler_id(i) for i in ids]
    code = f"from redisprep.quiz.scheduler import scheduler_id; print([scheduler_id(i) for i in {ids!r}])"
    other = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "123"},
    )
    assert other.stdout.strip() == str(here)
    assert len(set(here)) == len(here)
    assert all(0 <= i < 2**63 for i in here)


def test_saved_parameters_survive_a_round_trip() -> None:
    import json

    custom = Scheduler(desired_retention=0.85)
    again = Scheduler(json.loads(custom.to_json()))
    assert again.desired_retention == 0.85
    assert again.preview("c", None, T0) == custom.preview("c", None, T0)


def test_the_fuzz_is_fsrs_own_range_and_rounding_with_only_the_draw_seeded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Same bounds, clamps and rounding as fsrs's _get_fuzzed_interval, for every interval up to the
    maximum (a small one here, so the clamp is reached); only the random draw is ours, seeded."""
    import random

    import fsrs
    import fsrs.scheduler

    small = Scheduler(parameters={**fsrs.Scheduler(maximum_interval=120).to_dict()})
    compared = 0
    for days in range(0, 131):
        for n in range(4):
            before = SCHED.new_card("c", T0)
            before["last_review"] = (T0 + timedelta(minutes=n)).isoformat()
            draw = random.Random(f"{before['card_id']}:{before['last_review']}").random()
            monkeypatch.setattr(fsrs.scheduler, "random", lambda d=draw: d)
            theirs = small._fsrs._get_fuzzed_interval(interval=timedelta(days=days)).days
            assert small._fuzzed_days(days, before) == theirs, (days, n)
            compared += days >= 3
    assert compared > 400


def test_times_are_read_and_kept_in_utc_whatever_the_local_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    try:
        assert parse_time("2026-01-01T10:00:00+02:00").utcoffset() == timedelta(0)
        assert parse_time("2026-01-01T10:00:00+02:00") == datetime(2026, 1, 1, 8, 0, tzinfo=timezone.utc)
        review = SCHED.review(
            "c", None, Rating.GOOD, datetime(2026, 1, 1, 10, tzinfo=timezone(timedelta(hours=2)))
        )
        assert review.reviewed_at.utcoffset() == timedelta(0)
    finally:
        monkeypatch.undo()
        time.tzset()


def test_a_naive_time_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="^times must be timezone-aware$"):
        SCHED.review("c", None, Rating.GOOD, datetime(2026, 1, 1))


def test_a_new_card_is_due_at_the_time_given_and_a_review_keeps_what_it_was_told() -> None:
    assert parse_time(SCHED.new_card("c", T0)["due"]) == T0
    first = SCHED.review("c", None, Rating.GOOD, T0, duration_ms=1234)
    assert first.duration_ms == 1234 and first.state_before == CardState.NEW
    second = SCHED.review("c", first.after, Rating.GOOD, first.due)
    assert second.state_before == CardState(first.after["state"]) != CardState.NEW


def test_a_card_id_hashes_to_the_same_scheduler_id_in_every_release() -> None:
    """Stored progress is keyed by it: a different hash would orphan every review already made."""
    assert scheduler_id("fx-command-add-points") == SCHEDULER_ID_OF_ADD_POINTS
    assert 0 <= scheduler_id("c") < 2**63


def test_the_default_retention_and_the_fuzz_setting_are_kept_as_saved() -> None:
    import json

    assert Scheduler().desired_retention == 0.9
    assert json.loads(Scheduler().to_json())["enable_fuzzing"] is True
    saved = json.loads(Scheduler().to_json())
    assert json.loads(Scheduler(saved).to_json())["enable_fuzzing"] is True
    without_key = {k: v for k, v in saved.items() if k != "enable_fuzzing"}
    assert json.loads(Scheduler(without_key).to_json())["enable_fuzzing"] is True  # fuzz unless told
    assert json.loads(Scheduler({**saved, "enable_fuzzing": False}).to_json())["enable_fuzzing"] is False


def test_without_fuzz_the_interval_is_fsrs_own_and_with_it_every_draw_is_ours() -> None:
    """fsrs's own fuzz (a global random()) is never on: two schedulers agree on every due date."""
    import json

    saved = json.loads(Scheduler().to_json())
    plain = Scheduler({**saved, "enable_fuzzing": False})
    fuzzed_a, fuzzed_b = Scheduler(saved), Scheduler(saved)
    state_a = state_b = state_p = None
    now = T0
    differs = 0
    for step in range(8):
        a = fuzzed_a.review("c", state_a, Rating.GOOD, now)
        b = fuzzed_b.review("c", state_b, Rating.GOOD, now)
        p = plain.review("c", state_p, Rating.GOOD, now)
        assert a.due == b.due, step
        differs += a.due != p.due
        state_a, state_b, state_p = a.after, b.after, p.after
        now = a.due
    assert differs > 0  # the fuzz did move some interval
