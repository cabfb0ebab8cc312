"""Cards whose answer depends on the server: ``since`` and ``answers`` in decks, and the quiz's --url."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner

from redisprep.cli import app
from redisprep.cli._context import AppContext
from redisprep.quiz.deck import parse_decks
from redisprep.quiz.judge import judge_typed, verify_card
from redisprep.quiz.lint import lint
from redisprep.quiz.model import Card
from redisprep.quiz.sandbox import sandbox_client
from redisprep.quiz.versions import answer_for, applies
from redisprep.release import EMBEDDED, Release

FIXTURES = Path(__file__).parent / "fixtures" / "quiz"
SHIPPED = Path(__file__).parent.parent / "flashcards"
VALKEY_8_1 = Release.from_info({"redis_version": "7.2.4", "server_name": "valkey", "valkey_version": "8.1.8"})


def _cards(*paths: Path) -> dict[str, Card]:
    decks, problems = parse_decks(list(paths))
    assert not problems, problems
    return {c.id: c for d in decks for c in d.cards}


def test_each_release_gets_the_answer_of_the_latest_entry_it_has() -> None:
    cards = _cards(SHIPPED / "encodings.yaml")
    zset, embstr, small_set = (
        cards["enc-zset-128"],
        cards["enc-string-embstr-44"],
        cards["enc-set-small-strings"],
    )
    assert [answer_for(zset, r) for r in (Release.redis(6, 2, 14), EMBEDDED, Release.redis(7, 4))] == [
        "ziplist",
        "listpack",
        "listpack",
    ]
    # Valkey has every Redis release up to 7.2.4, and its own changes on top.
    assert answer_for(small_set, VALKEY_8_1) == "listpack" and answer_for(small_set, EMBEDDED) == "hashtable"
    assert answer_for(embstr, VALKEY_8_1) == "raw" and answer_for(embstr, Release.redis(7, 4)) == "embstr"
    assert answer_for(embstr, Release.parse("valkey-7.2")) == "embstr"


def test_since_scopes_a_card_to_the_releases_that_have_it() -> None:
    card = _cards(SHIPPED / "sets.yaml")["set-sintercard"]
    assert card.since == "redis-7.0"
    assert (
        applies(card, EMBEDDED) and applies(card, VALKEY_8_1) and not applies(card, Release.redis(6, 2, 14))
    )


def test_a_predict_card_is_judged_with_the_answer_for_the_learners_server() -> None:
    card = _cards(SHIPPED / "encodings.yaml")["enc-hash-512"]
    assert judge_typed(card, "listpack").correct and not judge_typed(card, "ziplist").correct
    on_62 = judge_typed(card, "ziplist", Release.redis(6, 2, 14))
    assert on_62.correct and on_62.expected == "ziplist"
    assert not judge_typed(card, "listpack", Release.redis(6, 2, 14)).correct


def test_a_since_bound_that_changes_nothing_is_a_problem() -> None:
    """Checked on a server older than ``since``, a card must fail there: the embedded server (7.0)
    standing in for 6.2 runs SINTERCARD fine, so the bound would claim a difference it lacks."""
    card = _cards(SHIPPED / "sets.yaml")["set-sintercard"]
    assert verify_card(card, sandbox_client) == []
    (problem,) = verify_card(card, sandbox_client, release=Release.redis(6, 2, 14))
    assert problem.problem == "'since: redis-7.0', yet the answer holds on Redis 6.2.14"
    assert problem.where == card.line_of("since")


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        (13, "'answers': 'redis-six' is not a server release such as redis-7.0 or valkey-8.0"),
        (23, "'answers': redis-7.0 is the answer field itself"),
        (
            33,
            "an encoding in 'answers' must be one of listpack, skiplist, intset, hashtable, "
            "quicklist, embstr, raw, int, stream, ziplist, not 'zipmap'",
        ),
        (41, "'since': redis-7.2 is newer than redis-7.0, which the embedded server imitates"),
    ],
)
def test_lint_names_a_wrong_release_field(line: int, problem: str) -> None:
    path = FIXTURES / "versions" / "bad-versions.yaml"
    assert f"{path}:{line}: {problem}" in [str(p) for p in lint([path]).problems]


ONE_CARD = """format_version: 1
deck: versions
title: One version-dependent card
cards:
  - id: fx-versions-zset
    kind: predict
    predict: encoding
    tags: [fixture]
    front: A sorted set with three short members.
    setup: ["ZADD lb 1 a 2 b 3 c"]
    key: lb
    answer: listpack
    answers: {redis-6.0: ziplist}
    explanation: The compact encoding, named ziplist before Redis 7.0.
"""


def _quiz(data: Path, answer: str, *extra: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    obj = AppContext(
        console=Console(file=out, width=100, color_system=None, highlight=False),
        err_console=Console(file=err, width=200, color_system=None, highlight=False),
    )
    argv = ["--data-dir", str(data), "quiz", "--cram", *extra]
    result = CliRunner().invoke(app, argv, obj=obj, input=answer + "\n")
    return result.exit_code, out.getvalue() + result.stdout, err.getvalue()


@pytest.fixture
def one_card(tmp_path: Path) -> Path:
    (tmp_path / "data" / "flashcards").mkdir(parents=True)
    (tmp_path / "data" / "flashcards" / "versions.yaml").write_text(ONE_CARD)
    return tmp_path / "data"


@pytest.mark.usefixtures("quiz_store")
def test_without_url_the_quiz_asks_for_redis_7_0(one_card: Path) -> None:
    code, out, err = _quiz(one_card, "listpack")
    assert code == 0, err
    assert "What does Redis 7.0 reply?" in out and "✔ right" in out


@pytest.mark.live
@pytest.mark.usefixtures("quiz_store")
def test_quiz_url_asks_for_the_servers_answer(live: Any, one_card: Path) -> None:
    """``quiz --url``: the card names the server and takes its answer (ziplist on 6.2, listpack on
    7.0+ and Valkey); only INFO server is read, the setup still runs on the embedded server."""
    from redisprep.backends import connect

    release = connect(live.url).release
    want = "listpack" if release.at_least(Release.redis(7, 0)) else "ziplist"
    code, out, err = _quiz(one_card, want, "--url", live.url)
    assert code == 0, err
    assert f"What does {release.name} reply?" in out and "✔ right" in out


def test_quiz_url_to_nothing_is_one_error_line(one_card: Path) -> None:
    code, _, err = _quiz(one_card, "listpack", "--url", "redis://127.0.0.1:1")
    assert code == 4 and err.startswith("error: cannot reach redis://127.0.0.1:1") and err.count("\n") == 1
