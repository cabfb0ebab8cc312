"""Content stays honest: every shipped deck (and the fixture decks, so this runs with none shipped) lints
clean, ids are unique, command and predict cards hold on the embedded server and on the live server
of the suite (each matrix column: Redis 6.2, 7.0, Valkey 8.1, 7.0 + modules) with that release's
answers, and complexity cards agree with Redis's COMMAND DOCS."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from redisprep import resources
from redisprep.backends import connect
from redisprep.localserver import LocalServer, find_binary, start_server
from redisprep.quiz.deck import deck_files, parse_decks
from redisprep.quiz.judge import verify_card
from redisprep.quiz.lint import complexity_problems, lint
from redisprep.quiz.model import Card
from redisprep.quiz.sandbox import raw_replies, sandbox_client
from redisprep.release import Release

FIXTURE_DECKS = Path(__file__).parent / "fixtures" / "quiz" / "decks"
SHIPPED_FILES = deck_files([resources.flashcards_dir()])
FILES = SHIPPED_FILES + deck_files([FIXTURE_DECKS])
DECKS, LOAD_PROBLEMS = parse_decks(FILES)
CARDS = [c for d in DECKS for c in d.cards]


pytestmark = pytest.mark.usefixtures("quiz_store")


def _ids(cards: list[Card]) -> list[str]:
    return [c.id for c in cards]


RUNNABLE = [
    c for c in CARDS if c.kind == "command" or (c.kind == "predict" and c.predict in ("reply", "encoding"))
]
COMPLEXITY = [c for c in CARDS if c.kind == "predict" and c.predict == "complexity"]
LINKED = [c for c in CARDS if c.drill]


def test_there_is_content_to_check() -> None:
    # With no shipped decks the fixture decks still give every check below something to run on.
    # Drill links (LINKED) are checked by the lint below (tests/test_quiz_deck.py shows it catches one).
    assert RUNNABLE and COMPLEXITY and LINKED
    assert {c.kind for c in CARDS} == {"basic", "choice", "typed", "command", "predict"}


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_deck_lints_clean(path: Path) -> None:
    report = lint([path], drills_dir=resources.drills_dir())
    assert report.ok, "\n".join(str(p) for p in report.problems)


def test_no_two_cards_share_an_id() -> None:
    assert not [str(p) for p in LOAD_PROBLEMS if "duplicate" in p.problem]
    ids = _ids(CARDS)
    assert len(ids) == len(set(ids))


def test_shipped_decks_do_not_use_fixture_ids() -> None:
    shipped = {str(p) for p in SHIPPED_FILES}
    assert not [c.id for c in CARDS if c.where.path in shipped and c.id.startswith("fx-")]


@pytest.mark.parametrize("card", COMPLEXITY, ids=_ids(COMPLEXITY))
def test_complexity_cards_agree_with_command_docs(card: Card) -> None:
    assert complexity_problems(card) == []
    assert card.answer in card.choices
    assert len(set(card.choices)) == len(card.choices)


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    """A server of this module's own (the suite's server binary): it is flushed before every card."""
    server = start_server()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def server_release(server: LocalServer) -> Release:
    backend = connect(server.url)
    try:
        return backend.release
    finally:
        backend.close()


@pytest.fixture(params=["embedded", pytest.param("live", marks=pytest.mark.live)])
def fresh_client(request: pytest.FixtureRequest) -> Iterator[tuple[Callable[[], Any], Release | None]]:
    """A factory of raw-reply clients on an empty database, and the live server's release (None for
    the embedded server, which imitates Redis 7.0)."""
    if request.param == "embedded":
        yield sandbox_client, None
        return
    import redis

    live: LocalServer = request.getfixturevalue("server")
    opened: list[Any] = []

    def factory() -> Any:
        client = raw_replies(redis.Redis.from_url(live.url, decode_responses=True, protocol=2))
        client.flushdb()  # our own throw-away server
        opened.append(client)
        return client

    yield factory, request.getfixturevalue("server_release")
    for client in opened:
        client.close()


@pytest.mark.parametrize("card", RUNNABLE, ids=_ids(RUNNABLE))
def test_command_and_predict_cards_hold(
    card: Card, fresh_client: tuple[Callable[[], Any], Release | None]
) -> None:
    """Each card's answer for this server holds on it (the embedded server: Redis 7.0's answer).

    Encoding cards: the embedded server checks the setup builds the key (it has no OBJECT
    ENCODING); a live server also checks the encoding itself. On a server older than a card's
    ``since``, the answer must fail there, or the bound claims a difference that is not there.
    """
    factory, release = fresh_client
    problems = verify_card(card, factory, live=release is not None, release=release)
    assert not problems, "\n".join(str(p) for p in problems)


@pytest.mark.live
def test_the_release_the_cards_are_checked_against_is_the_servers_own(
    server: LocalServer, server_release: Release
) -> None:
    """The release the checks above pick answers for is the one the server binary reports."""
    shown = subprocess.run([find_binary(), "--version"], capture_output=True, text=True).stdout
    assert f"v={'.'.join(map(str, server_release.version))} " in shown, (shown, server_release)
    assert shown.lower().startswith(server_release.family), (shown, server_release)
