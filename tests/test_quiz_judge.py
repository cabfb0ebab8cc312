"""Judging: any command reaching the goal passes, typed answers are normalised, replies read as redis-cli."""

from __future__ import annotations

from pathlib import Path

import pytest

from redisprep.quiz.deck import load_decks
from redisprep.quiz.judge import judge_choice, judge_command, judge_typed, normalise
from redisprep.quiz.model import Card, ErrorReply
from redisprep.quiz.replies import matches, prediction_matches, redis_cli
from redisprep.quiz.sandbox import run, sandbox_client

GOOD = Path(__file__).parent / "fixtures" / "quiz" / "decks"


@pytest.fixture(scope="module")
def cards() -> dict[str, Card]:
    return {c.id: c for d in load_decks([GOOD]) for c in d.cards}


@pytest.mark.parametrize(
    "line",
    [
        "ZINCRBY lb 5 alice",
        "zincrby lb 5 alice",
        "ZADD lb INCR 5 alice",
        "ZADD lb XX 105 alice",
        "ZADD lb 105 alice",
        'ZINCRBY "lb" 5 "alice"',
    ],
)
def test_any_command_that_reaches_the_state_passes(cards: dict[str, Card], line: str) -> None:
    judgement = judge_command(cards["fx-command-add-points"], line)
    assert judgement.correct, judgement.reasons


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("ZADD lb 5 alice", 'afterwards ZSCORE lb alice gave "5", expected "105"'),
        ("ZINCRBY lb 5 bob", 'afterwards ZSCORE lb alice gave "100", expected "105"'),
        ("ZINCRBY lb five alice", 'afterwards ZSCORE lb alice gave "100", expected "105"'),
    ],
)
def test_a_command_that_misses_the_state_fails_with_the_reason(
    cards: dict[str, Card], line: str, reason: str
) -> None:
    judgement = judge_command(cards["fx-command-add-points"], line)
    assert not judgement.correct
    assert reason in judgement.reasons


def test_reply_cards_accept_other_spellings_of_the_same_read(cards: dict[str, Card]) -> None:
    card = cards["fx-command-top-two"]
    assert judge_command(card, "ZREVRANGE lb 0 1 WITHSCORES").correct
    assert judge_command(card, "ZRANGE lb +inf -inf BYSCORE REV LIMIT 0 2 WITHSCORES").correct
    wrong = judge_command(card, "ZRANGE lb 0 1 WITHSCORES")
    assert not wrong.correct
    assert wrong.reply == '1) "bob"\n2) "90"\n3) "alice"\n4) "100"'


def test_nil_reply_and_state_are_both_checked(cards: dict[str, Card]) -> None:
    card = cards["fx-command-lock"]
    assert judge_command(card, "SET lock:order t1 NX EX 30").correct
    overwrite = judge_command(card, "SET lock:order t1 PX 30000")
    assert not overwrite.correct
    assert overwrite.reasons == (
        "the reply was OK, expected (nil)",
        'afterwards GET lock:order gave "t1", expected "other"',
    )


def test_each_answer_runs_on_a_fresh_server(cards: dict[str, Card]) -> None:
    card = cards["fx-command-add-points"]
    assert judge_command(card, "ZINCRBY lb 5 alice").correct
    assert judge_command(card, "ZINCRBY lb 5 alice").correct  # not 110: nothing carries over


def test_unparseable_and_refused_commands_are_wrong_not_crashes(cards: dict[str, Card]) -> None:
    card = cards["fx-command-add-points"]
    unbalanced = judge_command(card, 'ZINCRBY lb 5 "alice')
    assert not unbalanced.correct and unbalanced.reply is not None
    assert "cannot parse the command" in unbalanced.reply
    refused = judge_command(card, "SUBSCRIBE news")
    assert not refused.correct and "not available in the quiz sandbox" in (refused.reply or "")


def test_a_blocking_command_is_abandoned_not_waited_on_forever(cards: dict[str, Card]) -> None:
    judgement = judge_command(cards["fx-command-add-points"], "BLPOP nothing 0")
    assert not judgement.correct
    assert "no reply within" in (judgement.reply or "")


def test_typed_answers_ignore_case_spacing_and_edge_punctuation(cards: dict[str, Card]) -> None:
    card = cards["fx-typed-zset-listpack-limit"]
    for text in ("128", " 128. ", "One hundred  twenty-eight", '"128"'):
        assert judge_typed(card, text).correct, text
    for text in ("129", "12 8", ""):
        assert not judge_typed(card, text).correct, text
    assert normalise("  Hello,   World!  ") == "hello, world"


def test_predict_encoding_is_a_normalised_word(cards: dict[str, Card]) -> None:
    card = cards["fx-predict-small-zset-encoding"]
    assert judge_typed(card, "Listpack").correct
    assert not judge_typed(card, "skiplist").correct


@pytest.mark.parametrize("text", ["1", "(integer) 1", "integer 1"])
def test_predicted_integer_reply_in_any_usual_form(cards: dict[str, Card], text: str) -> None:
    assert judge_typed(cards["fx-predict-zadd-reply"], text).correct


@pytest.mark.parametrize("text", ["2", "(integer) 2", "OK", ""])
def test_wrong_predictions_fail(cards: dict[str, Card], text: str) -> None:
    assert not judge_typed(cards["fx-predict-zadd-reply"], text).correct


def test_predicted_error_matches_by_its_code(cards: dict[str, Card]) -> None:
    card = cards["fx-predict-wrongtype"]
    assert judge_typed(card, "(error) WRONGTYPE Operation against a key").correct
    assert judge_typed(card, "wrongtype").correct
    assert not judge_typed(card, "(integer) 1").correct


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('1) "carol"\n2) "120"', ("carol", "120")),
        ('1) "carol" 2) "120"', ("carol", "120")),
        ("[carol, 120]", ("carol", "120")),
        ("(nil)", None),
        ("nil", None),
        ("(empty array)", ()),
        ('"hello world"', "hello world"),
    ],
)
def test_prediction_forms(text: str, expected: object) -> None:
    assert prediction_matches(text, expected)  # type: ignore[arg-type]


def test_choice_is_judged_by_the_text_not_the_position(cards: dict[str, Card]) -> None:
    card = cards["fx-choice-rank-order"]
    assert judge_choice(card, "ZREVRANK").correct
    assert not judge_choice(card, "ZRANK").correct


def test_replies_print_like_redis_cli() -> None:
    client = sandbox_client()
    run(client, "ZADD lb 100 alice 90 bob")
    run(client, "XADD s 1-1 f v")
    assert redis_cli(run(client, "ZSCORE lb alice")) == '"100"'
    assert redis_cli(run(client, "ZCARD lb")) == "(integer) 2"
    assert redis_cli(run(client, "GET nothing")) == "(nil)"
    assert redis_cli(run(client, "SET k v")) == "OK"
    assert redis_cli(run(client, "ZRANGE nothing 0 -1")) == "(empty array)"
    assert redis_cli(run(client, "XRANGE s - +")) == '1) 1) "1-1"\n   2) 1) "f"\n      2) "v"'
    error = run(client, "INCR k")
    assert error == ErrorReply("ERR value is not an integer or out of range")
    assert matches(ErrorReply("not an integer"), error)
    assert not matches("1", 1) and not matches(1, "1")  # a bulk "1" is not the integer 1
