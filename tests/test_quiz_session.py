"""Whole sessions: scripted through stdin, single keys on a terminal, cram, filters, interview order."""

from __future__ import annotations

import io
import os
import pty
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from redisprep.cli import app
from redisprep.cli._context import AppContext
from redisprep.errors import ExitCode
from redisprep.quiz.deck import load_decks
from redisprep.quiz.planner import Selection, plan, select_cards
from redisprep.quiz.scheduler import CardState, SavedCard, Scheduler, parse_time
from redisprep.quiz.store import Store

FIXTURES = Path(__file__).parent / "fixtures" / "quiz"
GOOD = FIXTURES / "decks"
T0 = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)
DEADLINE_S = 60.0

#: The right answer to each fixture card, in the order a first session asks them (deck files sorted).
RIGHT = [
    "3",  # basic: rated Good
    "ZREVRANK",
    "ZADD lb INCR 5 alice",
    "ZREVRANGE lb 0 1 WITHSCORES",
    "SET lock:order t1 NX PX 30000",
    "(integer) 1",
    "(error) WRONGTYPE",
    "listpack",
    "O(log(N)) for each item added, where N is the number of elements in the sorted set.",
    "128",
]

pytestmark = pytest.mark.usefixtures("quiz_store")


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A data folder without shipped decks, so only the fixture decks are asked."""
    (tmp_path / "data" / "flashcards").mkdir(parents=True)
    return tmp_path / "data"


def quiz(
    data: Path, *args: str, answers: list[str] | None = None, now: datetime = T0
) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    obj = AppContext(
        console=Console(file=out, width=100, color_system=None, highlight=False),
        err_console=Console(file=err, width=200, color_system=None, highlight=False),
    )
    argv = ["--data-dir", str(data), "quiz", *args]
    if not args or args[0] not in ("stats", "lint"):
        argv += ["--deck-dir", str(GOOD), "--seed", "7"]
    argv += ["--now", now.isoformat()]
    text = "".join(a + "\n" for a in answers or [])
    result = CliRunner().invoke(app, argv, obj=obj, input=text)
    return result.exit_code, out.getvalue() + result.stdout, err.getvalue()


def test_a_scripted_session_asks_every_kind_and_records_each_review(data: Path, quiz_store: Path) -> None:
    code, out, err = quiz(data, answers=RIGHT)
    assert code == 0, err
    assert "1/10" in out and "10/19" in out  # progress; each card answered Good comes back once
    assert out.count("✔ right") == 9  # every auto-graded card
    assert "10 reviewed, 9 of 9 auto-graded answers right" in out and "(stopped early)" in out
    assert "1 Again <1m │ 2 Hard 5m │ 3 Good 10m │ 4 Easy" in out  # what each rating would schedule
    with Store(quiz_store) as store:
        states = store.states()
        logs = store.logs()
    assert len(states) == 10 and len(logs) == 10
    assert all(s["state"] == CardState.LEARNING for s in states.values())
    assert [log.correct for log in logs] == [None] + [True] * 9


def test_learning_cards_come_back_and_graduate_in_the_same_session(data: Path, quiz_store: Path) -> None:
    code, out, _ = quiz(data, answers=RIGHT + RIGHT)
    assert code == 0
    assert "20 reviewed, 18 of 18 auto-graded answers right" in out
    with Store(quiz_store) as store:
        assert all(s["state"] == CardState.REVIEW for s in store.states().values())
    code, out, _ = quiz(data, now=T0 + timedelta(minutes=30))
    assert "nothing to review now" in out


def test_progress_survives_editing_a_cards_text(data: Path, tmp_path: Path, quiz_store: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    deck = mine / "edited.yaml"
    text = (GOOD / "typed.yaml").read_text().replace("deck: typed", "deck: edited")
    deck.write_text(text.replace("id: fx-typed-zset-listpack-limit", "id: fx-edit-me"))
    args = ["--deck-dir", str(mine), "--deck", "edited"]
    code, out, err = quiz(data, *args, answers=["128", "128"])  # learned: next review in days
    assert code == 0 and "2 reviewed" in out, err
    deck.write_text(deck.read_text().replace("Up to how many members", "How many members at most"))
    code, out, err = quiz(data, *args, answers=["128"], now=T0 + timedelta(minutes=30))
    assert code == 0, err
    assert "nothing to review now" in out  # the edited card kept its schedule: it is not new again
    with Store(quiz_store) as store:
        assert list(store.states()) == ["fx-edit-me"]


def test_wrong_answers_come_back_sooner_than_right_ones(
    data: Path, quiz_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong = ["1", "ZRANK", "ZADD lb 5 alice"]
    quiz(data, "--limit", "3", answers=wrong)
    with Store(quiz_store) as store:
        logs = store.logs()
        wrong_due = {card: parse_time(saved["due"]) for card, saved in store.states().items()}
    assert [log.rating for log in logs] == [1, 1, 1]
    assert [log.correct for log in logs] == [None, False, False]
    # The same three cards answered right, in a store of their own: each comes back later.
    right_store = quiz_store.with_name("right.sqlite3")
    monkeypatch.setenv("REDISPREP_QUIZ_STORE", str(right_store))
    quiz(data, "--limit", "3", answers=RIGHT[:3])
    with Store(right_store) as store:
        right_due = {card: parse_time(saved["due"]) for card, saved in store.states().items()}
    assert len(wrong_due) == 3 and wrong_due.keys() == right_due.keys()
    for card, due in wrong_due.items():
        assert T0 < due <= T0 + timedelta(minutes=10) < right_due[card], card


def test_stopping_before_any_answer_says_so(data: Path, quiz_store: Path) -> None:
    code, out, _ = quiz(data, answers=[])
    assert code == 0 and "stopped before the first answer: nothing recorded" in out


def test_cram_records_nothing(data: Path, quiz_store: Path) -> None:
    code, out, _ = quiz(data, "--cram", answers=RIGHT)
    assert code == 0
    assert "cram: not recorded" in out and "cram: nothing recorded" in out
    with Store(quiz_store) as store:
        assert store.logs() == [] and store.states() == {}


def test_filters_and_limit(data: Path, quiz_store: Path) -> None:
    _, out, _ = quiz(data, "--deck", "commands", "--limit", "2", answers=RIGHT[2:4])
    assert "commands · command" in out and "basics" not in out and "2 reviewed" in out
    with Store(quiz_store) as store:
        assert set(store.states()) == {"fx-command-add-points", "fx-command-top-two"}
    _, out, _ = quiz(data, "--cram", "--tag", "encoding", answers=["listpack", "128"])
    assert "predict encoding" in out and "typed · typed" in out and "2 reviewed" in out


def test_unknown_deck_or_tag_is_a_usage_error_with_a_suggestion(data: Path) -> None:
    code, _, err = quiz(data, "--deck", "comands")
    assert code == ExitCode.USAGE
    assert err.strip() == "error: unknown deck 'comands'; did you mean 'commands'?"
    code, _, err = quiz(data, "--tag", "encodng")
    assert code == ExitCode.USAGE and "did you mean 'encoding'" in err


def test_an_interview_in_the_past_is_a_usage_error(data: Path) -> None:
    code, _, err = quiz(data, "--interview", "2025-02-01")
    assert code == ExitCode.USAGE and "--interview 2025-02-01 is in the past" in err


def test_stats_after_a_session(data: Path) -> None:
    quiz(data, answers=RIGHT + RIGHT[:3])
    code, out, err = quiz(data, "stats", "--deck-dir", str(GOOD), now=T0 + timedelta(hours=1))
    assert code == 0, err
    assert "reviews today" in out and "13" in out
    assert "auto-graded today" in out and "11 of 11 right" in out
    assert "due in the next 14 days" in out and "today" in out
    assert "█" in out  # the forecast is drawn as bars


def test_stats_json_counts_match_the_store(data: Path, quiz_store: Path) -> None:
    import json

    quiz(data, answers=RIGHT + RIGHT)
    code, out, _ = quiz(data, "stats", "--deck-dir", str(GOOD), "--json", now=T0 + timedelta(hours=1))
    figures = json.loads(out)
    assert code == 0
    assert figures["reviews_total"] == 20 and figures["new"] == 0 and figures["cards"] == 10
    assert sum(n for _, n in figures["forecast"]) == 10  # every card falls due within two weeks
    assert figures["due_now"] == 0


def test_interview_date_puts_first_what_would_be_forgotten_by_then() -> None:
    sched = Scheduler()
    cards = select_cards(load_decks([GOOD]), Selection())
    a, b = cards[0], cards[1]

    def saved(card_id: str, stability: float, days_ago: float) -> SavedCard:
        last = T0 - timedelta(days=days_ago)
        state = sched.new_card(card_id, T0)
        state.update(state=2, step=None, stability=stability, difficulty=5.0, last_review=last.isoformat())
        state["due"] = (T0 - timedelta(minutes=1)).isoformat()
        return state

    # a: short memory, just due (recall now ~0.9, falls fast); b: long memory, long overdue (~0.87 now).
    states = {a.id: saved(a.id, 3.0, 3.0), b.id: saved(b.id, 100.0, 150.0)}
    only_seen = Selection(new_per_day=0)
    assert [q.card.id for q in plan(cards, states, sched, T0, only_seen)] == [b.id, a.id]
    later = Selection(new_per_day=0, interview=T0 + timedelta(days=20))
    queue = plan(cards, states, sched, T0, later)
    assert [q.card.id for q in queue] == [a.id, b.id]
    assert queue[0].recall < queue[1].recall


def test_an_interview_soon_starts_enough_new_cards_to_see_them_all() -> None:
    sched = Scheduler()
    cards = select_cards(load_decks([GOOD]), Selection()) * 1
    few = Selection(new_per_day=3)
    assert len(plan(cards, {}, sched, T0, few)) == 3
    assert len(plan(cards, {}, sched, T0, few, started_today=2)) == 1
    near = Selection(interview=T0 + timedelta(days=1))
    assert len(plan(cards, {}, sched, T0, near)) == len(cards)  # max(20, 10 unseen / 1 day)


# -- a real terminal ------------------------------------------------------------------------------


def _own_terminal() -> None:
    """In the child: a new session whose controlling terminal is the pty, so Ctrl-C sends SIGINT."""
    import fcntl
    import termios

    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def _own_terminal_ignoring_hangups() -> None:
    """As ``nohup`` starts a program: SIGHUP ignored."""
    import signal

    _own_terminal()
    signal.signal(signal.SIGHUP, signal.SIG_IGN)


class Terminal:
    """``redisprep quiz`` in a pseudo-terminal: keys are sent without Enter, the screen is read back."""

    def __init__(self, data: Path, store: Path, *, nohup: bool = False) -> None:
        argv = [sys.executable, "-m", "redisprep", "--data-dir", str(data), "quiz", "--deck-dir", str(GOOD)]
        argv += ["--limit", "2", "--seed", "7", "--now", T0.isoformat(), "--store", str(store)]
        self.leader, follower = pty.openpty()
        env = {**os.environ, "COLUMNS": "100", "LINES": "50", "TERM": "xterm"}
        self.proc = subprocess.Popen(
            argv, stdin=follower, stdout=follower, stderr=follower, env=env,
            preexec_fn=_own_terminal_ignoring_hangups if nohup else _own_terminal,
        )  # fmt: skip
        os.close(follower)
        self.screen = b""

    def until(self, text: bytes) -> None:
        deadline = time.monotonic() + DEADLINE_S
        while text not in self.screen:
            assert time.monotonic() < deadline, self.screen.decode(errors="replace")[-1500:]
            if select.select([self.leader], [], [], 1.0)[0]:
                try:
                    self.screen += os.read(self.leader, 65536)
                except OSError:  # the program exited and closed the terminal
                    break

    def press(self, keys: bytes) -> None:
        os.write(self.leader, keys)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(DEADLINE_S)
        os.close(self.leader)


@pytest.fixture
def terminal(data: Path, quiz_store: Path) -> Iterator[Terminal]:
    term = Terminal(data, quiz_store)
    yield term
    term.close()


def test_on_a_terminal_ratings_and_choices_take_a_single_key(terminal: Terminal, quiz_store: Path) -> None:
    terminal.until(b"press any key to reveal")
    terminal.press(b" ")  # reveal: one key, no Enter
    terminal.until(b"rate>")
    terminal.press(b"4")  # Easy: one key
    terminal.until(b"choice>")
    terminal.press(b"x")  # not a choice: ignored
    terminal.press(b"q")  # stops the session
    assert terminal.proc.wait(DEADLINE_S) == 0
    terminal.until(b"stopped early")
    with Store(quiz_store) as store:
        (log,) = store.logs()
    assert log.rating == 4 and log.card == "fx-basic-single-thread"


def test_ctrl_c_exits_130_and_keeps_the_reviews_already_made(terminal: Terminal, quiz_store: Path) -> None:
    terminal.until(b"press any key to reveal")
    terminal.press(b" ")
    terminal.until(b"rate>")
    terminal.press(b"1")
    terminal.until(b"choice>")
    terminal.press(b"\x03")  # Ctrl-C
    assert terminal.proc.wait(DEADLINE_S) == ExitCode.INTERRUPTED
    terminal.until(b"error: interrupted")
    with Store(quiz_store) as store:
        assert [log.rating for log in store.logs()] == [1]


def test_a_hang_up_exits_129_and_keeps_the_reviews_already_made(terminal: Terminal, quiz_store: Path) -> None:
    import signal

    terminal.until(b"press any key to reveal")
    terminal.press(b" ")
    terminal.until(b"rate>")
    terminal.press(b"1")
    terminal.until(b"choice>")
    terminal.proc.send_signal(signal.SIGHUP)  # the terminal window was closed
    assert terminal.proc.wait(DEADLINE_S) == ExitCode.HANGUP
    terminal.until(b"error: hung up")
    with Store(quiz_store) as store:
        assert [log.rating for log in store.logs()] == [1]


def test_started_under_nohup_a_hang_up_changes_nothing(data: Path, quiz_store: Path) -> None:
    import signal

    terminal = Terminal(data, quiz_store, nohup=True)
    try:
        terminal.until(b"press any key to reveal")
        terminal.proc.send_signal(signal.SIGHUP)
        terminal.press(b" ")  # still there, still answering
        terminal.until(b"rate>")
        terminal.press(b"4")
        terminal.until(b"choice>")
        terminal.press(b"q")
        assert terminal.proc.wait(DEADLINE_S) == 0
    finally:
        terminal.close()
    with Store(quiz_store) as store:
        assert [log.rating for log in store.logs()] == [4]


def test_q_at_a_command_prompt_stops_instead_of_running_as_a_command(data: Path, quiz_store: Path) -> None:
    code, out, _ = quiz(data, "--deck", "commands", "--limit", "1", answers=["q"])
    assert code == 0 and "redis> q" in out
    assert "stopped before the first answer: nothing recorded" in out
    with Store(quiz_store) as store:
        assert store.logs() == []


def test_a_drill_asks_only_the_cards_that_name_it_from_every_deck(data: Path, quiz_store: Path) -> None:
    code, out, err = quiz(data, "--drill", "leaderboard", "--limit", "2", answers=RIGHT[:1] + RIGHT[2:3])
    assert code == 0, err
    assert "2 reviewed" in out
    with Store(quiz_store) as store:
        assert set(store.states()) == {"fx-basic-single-thread", "fx-command-add-points"}  # two decks
    code, _, err = quiz(data, "--drill", "leaderbord")
    assert code == ExitCode.USAGE
    assert err.strip() == "error: unknown drill 'leaderbord'; did you mean 'leaderboard'?"
