"""The parsed-deck cache: an unchanged deck is not parsed again, an edited one is seen at once.

What the user would check: a session after an edit shows the edit; a broken deck still stops with
its file:line; a corrupt, foreign or deleted cache changes nothing but speed; a card whose own
answer held is not run again until its deck or the sandbox changes.
"""

from __future__ import annotations

import io
import os
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from redisprep.cli._context import AppContext
from redisprep.cli.main import app
from redisprep.errors import DataFormatError, ExitCode
from redisprep.quiz import deck as deck_module
from redisprep.quiz import deck_cache
from redisprep.quiz.deck import load_decks
from redisprep.quiz.deck_cache import DeckCache, default_cache_path
from redisprep.quiz.model import Card

FIXTURES = Path(__file__).parent / "fixtures" / "quiz"
GOOD = FIXTURES / "decks"
BAD = FIXTURES / "bad"
T0 = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)

pytestmark = pytest.mark.usefixtures("quiz_store")


@pytest.fixture
def decks(tmp_path: Path) -> Path:
    """A private copy of the fixture decks (these tests edit them)."""
    folder = tmp_path / "decks"
    shutil.copytree(GOOD, folder)
    return folder


def _fronts(folder: Path, cache: Path) -> dict[str, str]:
    return {c.id: c.front for d in load_decks([folder], DeckCache(cache)) for c in d.cards}


def _touch_later(path: Path) -> None:
    """Move the mtime on by a second: an editor's save on a coarse-clock file system still differs."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


def test_a_second_load_parses_nothing_and_gives_the_same_cards(
    decks: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache" / "decks.pickle"
    first = load_decks([decks], DeckCache(cache))
    assert cache.is_file()

    def no_parsing(path: Path) -> object:
        raise AssertionError(f"parsed {path} again")

    monkeypatch.setattr(deck_module, "parse_file", no_parsing)
    again = DeckCache(cache)
    second = load_decks([decks], again)
    assert second == first  # the same decks, cards and expectations
    assert [c.line_of("answer") for d in second for c in d.cards] == [
        c.line_of("answer") for d in first for c in d.cards
    ]
    assert again.hits == len(list(decks.glob("*.yaml"))) and again.misses == 0


def test_an_edited_deck_is_seen_at_once_even_at_the_same_size(decks: Path, tmp_path: Path) -> None:
    cache = tmp_path / "decks.pickle"
    path = decks / "typed.yaml"
    before = _fronts(decks, cache)["fx-typed-zset-listpack-limit"]
    text = path.read_text()
    assert "Up to how many" in text
    path.write_text(text.replace("Up to how many", "At most how many"))  # same length
    _touch_later(path)
    after = _fronts(decks, cache)["fx-typed-zset-listpack-limit"]
    assert after == before.replace("Up to how many", "At most how many")


def test_a_deck_that_breaks_later_reports_file_and_line_every_time(decks: Path, tmp_path: Path) -> None:
    cache = tmp_path / "decks.pickle"
    _fronts(decks, cache)
    path = decks / "choices.yaml"
    path.write_text(path.read_text().replace("kind: choice", "kind: flip", 1))
    line = path.read_text().splitlines().index("    kind: flip") + 1
    for _ in range(2):  # parsed, then from the cache: the same one-line problem
        with pytest.raises(DataFormatError) as caught:
            load_decks([decks], DeckCache(cache))
        assert str(caught.value.path) == str(path)
        assert caught.value.line == line
        assert "unknown kind 'flip'" in caught.value.problem


def test_duplicates_across_files_are_found_with_every_file_cached(decks: Path, tmp_path: Path) -> None:
    cache = tmp_path / "decks.pickle"
    _fronts(decks, cache)
    twin = decks / "twin.yaml"
    twin.write_text((decks / "typed.yaml").read_text().replace("deck: typed", "deck: twin"))
    with pytest.raises(DataFormatError, match="duplicate card id 'fx-typed-zset-listpack-limit'"):
        load_decks([decks], DeckCache(cache))


@pytest.mark.parametrize("damage", [b"", b"not a pickle at all", b"\x80\x05\x95garbage"])
def test_a_damaged_cache_is_rebuilt(decks: Path, tmp_path: Path, damage: bytes) -> None:
    cache = tmp_path / "decks.pickle"
    expected = _fronts(decks, cache)
    cache.write_bytes(damage)
    cache.chmod(0o600)
    assert _fronts(decks, cache) == expected
    assert DeckCache(cache).parse(decks / "typed.yaml", lambda p: "parsed") != "parsed"  # rewritten


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permission bits")
def test_a_cache_others_may_write_is_not_read(decks: Path, tmp_path: Path) -> None:
    cache = tmp_path / "decks.pickle"
    _fronts(decks, cache)
    cache.chmod(0o666)
    assert DeckCache(cache).parse(decks / "typed.yaml", lambda p: "parsed") == "parsed"


def test_other_parsing_code_voids_the_cache(decks: Path, tmp_path: Path) -> None:
    cache = tmp_path / "decks.pickle"
    _fronts(decks, cache)
    assert DeckCache(cache, fingerprint="other code").parse(decks / "typed.yaml", lambda p: "new") == "new"


def test_an_unwritable_cache_only_costs_speed(decks: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder would go")
    assert _fronts(decks, blocker / "decks.pickle") == _fronts(decks, tmp_path / "ok.pickle")


def _checks(decks: Path, cache: Path, fail: set[str] | None = None) -> list[str]:
    """Load, then 'check' every command card through the cache's memory; the ids actually checked."""
    ran: list[str] = []

    def check(card: Card) -> None:
        ran.append(card.id)
        if card.id in (fail or set()):
            raise DataFormatError(card.where.path, card.where.line, "does not hold")

    store = DeckCache(cache)
    remembered = store.remembering(check)
    for card in (c for d in load_decks([decks], store) for c in d.cards if c.kind == "command"):
        try:
            remembered(card)
        except DataFormatError:
            pass
    store.save()
    return ran


def test_cards_that_held_are_not_checked_again_until_their_deck_changes(
    decks: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "decks.pickle"
    commands = ["fx-command-add-points", "fx-command-top-two", "fx-command-lock"]
    assert _checks(decks, cache, fail={"fx-command-lock"}) == commands
    assert _checks(decks, cache) == ["fx-command-lock"]  # a failure is never remembered
    assert _checks(decks, cache) == []
    _touch_later(decks / "commands.yaml")
    assert _checks(decks, cache) == commands
    monkeypatch.setattr(deck_cache, "sandbox_fingerprint", lambda: "fakeredis upgraded")
    assert _checks(decks, cache) == commands


def _session(data: Path, mine: Path, answers: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    obj = AppContext(
        console=Console(file=out, width=100, color_system=None, highlight=False),
        err_console=Console(file=err, width=200, color_system=None, highlight=False),
    )
    argv = ["--data-dir", str(data), "quiz", "--deck-dir", str(mine), "--now", T0.isoformat()]
    result = CliRunner().invoke(app, [*argv, "--limit", "1"], obj=obj, input=answers)
    return result.exit_code, out.getvalue(), err.getvalue()


def test_a_session_uses_the_cache_and_still_stops_at_a_card_that_no_longer_holds(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "flashcards").mkdir(parents=True)  # no shipped decks: only ours
    mine = tmp_path / "mine"
    mine.mkdir()
    deck = mine / "failing-command.yaml"
    good = (BAD / "failing-command.yaml").read_text().replace("ZADD lb 5 alice", "ZINCRBY lb 5 alice")
    deck.write_text(good)
    code, out, err = _session(data, mine)
    assert code == 0, err
    assert "Give alice 5 more points" in out
    assert default_cache_path().is_file()  # under $REDISPREP_HOME/cache
    code, out, err = _session(data, mine)  # from the cache, the card remembered as holding
    assert code == 0 and "Give alice 5 more points" in out, err
    deck.write_text(good.replace("ZINCRBY lb 5 alice", "ZADD lb 5 alice"))
    _touch_later(deck)
    code, out, err = _session(data, mine)
    assert code == ExitCode.DATA
    assert err.strip() == (
        f"error: {deck}:10: the answer 'ZADD lb 5 alice' does not hold: "
        'afterwards ZSCORE lb alice gave "5", expected "105"'
    )
