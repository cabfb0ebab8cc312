"""Decks load into cards of every kind; every kind of bad deck is reported as file:line, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from redisprep.errors import DataFormatError, ExitCode
from redisprep.quiz.deck import load_decks, parse_decks
from redisprep.quiz.lint import lint
from redisprep.quiz.model import ErrorReply

FIXTURES = Path(__file__).parent / "fixtures" / "quiz"
GOOD = FIXTURES / "decks"
BAD = FIXTURES / "bad"
DUP = FIXTURES / "dup"

pytestmark = pytest.mark.usefixtures("quiz_store")


def test_fixture_decks_load_one_card_of_each_kind() -> None:
    decks = load_decks([GOOD])
    cards = {c.id: c for d in decks for c in d.cards}
    kinds = {(c.kind, c.predict) for c in cards.values()}
    assert kinds == {
        ("basic", None),
        ("choice", None),
        ("typed", None),
        ("command", None),
        ("predict", "reply"),
        ("predict", "encoding"),
        ("predict", "complexity"),
    }
    add = cards["fx-command-add-points"]
    assert add.setup == ("ZADD lb 100 alice 90 bob",)
    assert add.expect is not None and add.expect.state == (
        ("ZSCORE lb alice", "105"),
        ("ZSCORE lb bob", "90"),
    )
    assert not add.expect.has_reply
    lock = cards["fx-command-lock"].expect
    assert lock is not None and lock.has_reply and lock.reply is None  # `reply: null` is checked, not absent
    assert cards["fx-command-top-two"].expect.reply == ("carol", "120", "alice", "100")  # type: ignore[union-attr]
    assert cards["fx-predict-wrongtype"].answer == ErrorReply("WRONGTYPE")
    assert cards["fx-typed-zset-listpack-limit"].answer == "128"  # a YAML number is read as text
    assert cards["fx-basic-single-thread"].drill == "leaderboard"
    assert str(cards["fx-choice-rank-order"].where) == f"{GOOD / 'choices.yaml'}:5"


@pytest.mark.parametrize(
    ("name", "line", "problem"),
    [
        ("syntax", 7, "YAML syntax: did not find expected ',' or ']' (while parsing a flow sequence)"),
        ("missing-field", 5, "missing field 'explanation'"),
        ("unknown-kind", 7, "unknown kind 'flip'; expected one of basic, choice, typed, command, predict"),
        ("duplicate-id", 12, f"duplicate card id 'bad-twice' (first at {BAD / 'duplicate-id.yaml'}:5)"),
        (
            "failing-command",
            10,
            "the answer 'ZADD lb 5 alice' does not hold: "
            'afterwards ZSCORE lb alice gave "5", expected "105"',
        ),
        ("wrong-prediction", 12, "answer is 2 but the server replies 1"),
        ("wrong-complexity", 12, "answer differs from COMMAND DOCS of Redis 7.0.15, which says 'O(1)'"),
        ("not-this-name", 1, "format_version must be 1, not 2"),
    ],
)
def test_lint_names_file_line_and_problem(name: str, line: int, problem: str) -> None:
    path = BAD / f"{name}.yaml"
    report = lint([path])
    assert [str(p) for p in report.problems][0] == f"{path}:{line}: {problem}"


def test_lint_reports_every_problem_in_a_file_not_just_the_first() -> None:
    path = BAD / "bad-fields.yaml"
    assert [str(p) for p in lint([path]).problems] == [
        f"{path}:10: answer 'c' is not one of the choices",
        f"{path}:12: missing field 'answer'",
        f"{path}:16: unknown field 'anwser' for a typed card (did you mean 'answer'?)",
        f"{path}:23: 'expect': write 1.5 as text (\"1.5\"): Redis replies with floats as bulk strings",
    ]


def test_duplicate_ids_across_decks_name_both_places() -> None:
    _, problems = parse_decks(sorted(DUP.glob("*.yaml")))
    assert [str(p) for p in problems] == [
        f"{DUP / 'second.yaml'}:11: duplicate card id 'shared-id' (first at {DUP / 'first.yaml'}:5)"
    ]


def test_loading_a_bad_deck_raises_the_first_problem_with_a_count() -> None:
    with pytest.raises(DataFormatError) as info:
        load_decks([BAD / "bad-fields.yaml"])
    assert str(info.value) == (
        f"{BAD / 'bad-fields.yaml'}:10: answer 'c' is not one of the choices "
        "(and 3 more; see 'redisprep quiz lint')"
    )
    assert info.value.exit_code == ExitCode.DATA


def test_good_fixtures_lint_clean() -> None:
    report = lint([GOOD], drills_dir=Path(__file__).parent.parent / "drills")
    assert report.ok, [str(p) for p in report.problems]
    assert (report.files, report.cards) == (5, 10)


def test_lint_flags_a_drill_link_to_nothing(tmp_path: Path) -> None:
    deck = tmp_path / "links.yaml"
    deck.write_text(
        "format_version: 1\ndeck: links\ntitle: Links\ncards:\n"
        "  - id: link-nowhere\n    kind: basic\n    tags: [x]\n    drill: no-such-drill\n"
        "    front: F\n    back: B\n    explanation: E, see https://redis.io/docs/latest/\n"
    )
    problems = [str(p) for p in lint([deck], drills_dir=tmp_path).problems]
    assert problems == [f"{deck}:8: no drill named 'no-such-drill' (see 'redisprep drill list')"]


@pytest.mark.parametrize(
    ("explanation", "cited"),
    [
        ("E. Source: https://redis.io/docs/latest/commands/zadd/", True),
        ("E (redis.io/docs/latest/develop/data-types/sorted-sets/)", True),
        ("E, as antirez wrote (http://antirez.com/news/77)", True),
        ("E, see the Redis docs", False),
        ("E, see redis.io", False),
    ],
)
def test_lint_asks_every_card_to_cite_its_source(tmp_path: Path, explanation: str, cited: bool) -> None:
    deck = tmp_path / "cited.yaml"
    deck.write_text(
        "format_version: 1\ndeck: cited\ntitle: Cited\ncards:\n"
        "  - id: cited-card\n    kind: basic\n    tags: [x]\n"
        f"    front: F\n    back: B\n    explanation: {json.dumps(explanation)}\n"
    )
    problems = [str(p) for p in lint([deck]).problems]
    assert problems == (
        [] if cited else [f"{deck}:10: cite a source: end the explanation with 'Source: <URL>'"]
    )


def test_cli_lint_prints_file_line_problems_and_exits_3(invoke: Any) -> None:
    result = invoke("quiz", "lint", str(BAD), str(DUP))
    assert result.exit_code == ExitCode.DATA
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.stdout.strip().splitlines()
    assert lines[-1] == "14 problems in 11 files"
    assert all(line.startswith(str(FIXTURES)) and ": " in line for line in lines[:-1])
    assert "Traceback" not in result.stdout + result.stderr


def test_cli_lint_of_good_decks_exits_0(invoke: Any) -> None:
    result = invoke("quiz", "lint", str(GOOD), catch=False)
    assert result.exit_code == 0
    assert "5 files, 10 cards: no problems" in result.stdout


def test_cli_lint_of_a_missing_path_is_a_problem_not_a_crash(invoke: Any, tmp_path: Path) -> None:
    result = invoke("quiz", "lint", str(tmp_path / "nope"))
    assert result.exit_code == ExitCode.DATA
    assert f"{tmp_path / 'nope'}: no such file or folder" in result.stdout


def test_a_session_with_a_bad_deck_reports_one_error_line_and_exit_3(invoke: Any) -> None:
    result = invoke("quiz", "--deck-dir", str(BAD))
    assert result.exit_code == ExitCode.DATA
    assert result.stderr.startswith(
        f"error: {BAD / 'bad-fields.yaml'}:10: answer 'c' is not one of the choices"
    )
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_session_stops_at_a_command_card_whose_answer_does_not_hold(invoke: Any, tmp_path: Path) -> None:
    # Structurally fine, so it loads; the card is checked before it is shown.
    (tmp_path / "flashcards").mkdir()  # no shipped decks: the failing card comes first
    (tmp_path / "mine").mkdir()
    deck = tmp_path / "mine" / "failing-command.yaml"
    deck.write_text((BAD / "failing-command.yaml").read_text())
    result = invoke("--data-dir", str(tmp_path), "quiz", "--deck-dir", str(tmp_path / "mine"))
    assert result.exit_code == ExitCode.DATA
    assert result.stderr.strip() == (
        f"error: {deck}:10: the answer 'ZADD lb 5 alice' does not hold: "
        'afterwards ZSCORE lb alice gave "5", expected "105"'
    )


def test_ids_that_hash_alike_are_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("redisprep.quiz.deck.scheduler_id", lambda card_id: 42)
    _, problems = parse_decks([GOOD / "commands.yaml"])
    assert [p.problem for p in problems] == [
        "card id 'fx-command-top-two' hashes like 'fx-command-add-points': rename one",
        "card id 'fx-command-lock' hashes like 'fx-command-add-points': rename one",
    ]
