"""A failed check makes the flashcards behind it due in the next quiz, through the FSRS scheduler."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from redisprep.practice.catalog import Exercise, cards_for, get_exercise, load_exercises
from redisprep.quiz.deck import load_decks
from redisprep.quiz.followup import make_due
from redisprep.quiz.planner import Selection, build_queue, select_cards
from redisprep.quiz.scheduler import Rating
from redisprep.quiz.store import Store

ROOT = Path(__file__).parent.parent
CARDS = {c.id: c for c in select_cards(load_decks([ROOT / "flashcards"]), Selection())}
PLAIN_DEL = ROOT / "drills" / "lock" / "wrong" / "plain_del.py"  # fails lock.wrong_owner only
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("exercise", load_exercises(), ids=lambda e: e.name)
def test_every_promise_names_cards_that_exist(exercise: Exercise) -> None:
    for promise in exercise.promises:
        where = f"{exercise.source}:{promise.line}"
        assert promise.cards, f"{where}: name the flashcards that teach {promise.text!r}"
        missing = [c for c in promise.cards if c not in CARDS]
        assert not missing, f"{where}: no such card {missing}"


def test_the_cards_of_a_failed_check_are_those_of_every_promise_it_tests_once_each() -> None:
    lock = get_exercise("lock")
    assert cards_for(lock, ["lock.wrong_owner"]) == ["lock-release-wrong-owner", "lock-unique-token"]
    both = cards_for(lock, ["lock.fencing", "lock.wrong_owner"])
    assert both == [
        "lock-release-wrong-owner",
        "lock-unique-token",
        "lock-fencing-token-incr",
        "lock-fencing-token",
        "lock-paused-holder",
    ]
    assert cards_for(lock, []) == [] and cards_for(lock, ["cache.aside"]) == []


def test_make_due_logs_one_again_review_each_and_the_quiz_asks_them_first(tmp_path: Path) -> None:
    ids = ["lock-release-wrong-owner", "lock-unique-token"]
    with Store(tmp_path / "p.sqlite3") as store:
        made = make_due(store, ids, T0)
        assert made == ids
        logs = store.logs()
        assert [(log.card, log.rating) for log in logs] == [(i, Rating.AGAIN) for i in ids]
        later = T0 + timedelta(minutes=30)
        cards = [CARDS[i] for i in ("lb-my-rank", *ids)]
        queue = build_queue(store, cards, Selection(), later)
    assert [(q.card.id, q.reason) for q in queue][:2] == [(i, "due") for i in ids]


def test_a_card_already_due_gets_no_second_lapse_and_a_card_reviewed_since_gets_one(tmp_path: Path) -> None:
    card = "lock-unique-token"
    with Store(tmp_path / "p.sqlite3") as store:
        assert make_due(store, [card], T0) == [card]
        assert make_due(store, [card, card], T0 + timedelta(minutes=20)) == []  # due since T0+~1 min
        store.record(card, lambda s: store.scheduler.review(card, s, Rating.EASY, T0 + timedelta(minutes=21)))
        assert make_due(store, [card], T0 + timedelta(minutes=22)) == [card]  # no longer due: again
        assert [log.rating for log in store.logs()] == [Rating.AGAIN, Rating.EASY, Rating.AGAIN]


def test_practice_check_makes_the_failed_checks_cards_due_once(invoke: Any, quiz_store: Path) -> None:
    argv = ("practice", "check", "lock", "--impl", str(PLAIN_DEL), "--only", "lock.wrong_owner")
    first = invoke(*argv)
    assert first.exit_code == 1
    assert (
        "2 flashcards teach what failed, due in your next quiz: redisprep quiz --drill lock" in first.stdout
    )
    with Store(quiz_store) as store:
        assert {log.card for log in store.logs()} == {"lock-release-wrong-owner", "lock-unique-token"}
    again = invoke(*argv)
    assert "(2 already waiting for review)" in again.stdout
    with Store(quiz_store) as store:
        assert len(store.logs()) == 2


def test_no_cards_leaves_the_progress_store_alone(invoke: Any, quiz_store: Path) -> None:
    result = invoke(
        "practice", "check", "lock", "--impl", str(PLAIN_DEL), "--only", "lock.wrong_owner", "--no-cards"
    )
    assert result.exit_code == 1 and "flashcards" not in result.stdout
    assert not quiz_store.exists()


def test_a_passing_grade_makes_nothing_due(invoke: Any, quiz_store: Path) -> None:
    reference = ROOT / "redisprep" / "drills" / "lock" / "reference.py"
    result = invoke("practice", "check", "lock", "--impl", str(reference), "--only", "lock.wrong_owner")
    assert result.exit_code == 0 and "flashcards" not in result.stdout
    assert not quiz_store.exists()


def test_cards_that_are_not_a_list_of_ids_are_a_data_error_naming_the_line(tmp_path: Path) -> None:
    from redisprep.errors import DataFormatError
    from redisprep.practice.catalog import load_exercise

    source = get_exercise("lock").source
    folder = tmp_path / "lock"
    folder.mkdir()
    (folder / "starter.py").write_text("# TODO\n")
    text = (
        source.read_text()
        + "  - promise: one more sentence.\n    checks: [lock.tokens]\n    cards: lock-unique-token\n"
    )
    (folder / "exercise.yaml").write_text(text)
    with pytest.raises(DataFormatError) as caught:
        load_exercise(folder / "exercise.yaml")
    assert (
        str(caught.value)
        == f"{folder / 'exercise.yaml'}:{len(text.splitlines()) - 2}: 'cards' must be a list of flashcard ids"
    )
