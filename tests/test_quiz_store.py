"""The progress store: every review replays to the stored states, a kill loses at most one card, and
concurrent sessions never corrupt it."""

from __future__ import annotations

import os
import select
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from store_check import integrity

from redisprep.errors import DataFormatError, ExitCode
from redisprep.quiz.scheduler import CardState, Rating, SavedCard, parse_time
from redisprep.quiz.store import Store, default_store_path

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)
#: Guards against a hung subprocess; never a speed assertion.
DEADLINE_S = 60.0

pytestmark = pytest.mark.usefixtures("quiz_store")


def assert_replays(path: Path) -> int:
    """Replaying every logged review in order reproduces each logged state and the stored states."""
    with Store(path) as store:
        assert integrity(path) == "ok"
        states: dict[str, SavedCard] = {}
        logs = store.logs()
        for row in logs:
            when = parse_time(str(row.state_after["last_review"]))
            review = store.scheduler.review(row.card, states.get(row.card), Rating(row.rating), when)
            assert review.after == row.state_after, row
            assert int(review.state_before) == row.state_before, row
            states[row.card] = review.after
        assert states == store.states()
        return len(logs)


def test_a_recorded_review_is_read_back(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite3"
    with Store(path) as store:
        review = store.record(
            "card-a", lambda s: store.scheduler.review("card-a", s, Rating.GOOD, T0, 1500), True
        )
        assert review.state_before == CardState.NEW
    with Store(path) as store:
        assert store.states()["card-a"] == review.after
        (log,) = store.logs()
        assert (log.card, log.rating, log.correct, log.state_before) == ("card-a", 3, True, 0)
        assert store.first_reviews_since(T0) == {"card-a"}
        assert store.first_reviews_since(T0 + timedelta(seconds=1)) == set()
    assert assert_replays(path) == 1


def test_each_review_builds_on_the_latest_stored_state_even_from_threads(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite3"
    Store(path).close()
    workers, each = 4, 10
    barrier = threading.Barrier(workers)

    def work(n: int) -> None:
        with Store(path) as store:
            barrier.wait()
            for i in range(each):
                when = T0 + timedelta(minutes=n * each + i)
                rating = Rating((n + i) % 4 + 1)
                store.record("shared", lambda s, w=when, r=rating: store.scheduler.review("shared", s, r, w))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert assert_replays(path) == workers * each


def test_a_file_that_is_not_a_store_is_a_data_error(tmp_path: Path, invoke: Any) -> None:
    path = tmp_path / "p.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(DataFormatError, match="not a redisprep progress store"):
        Store(path)
    result = invoke("quiz", "stats", "--store", str(path))
    assert result.exit_code == ExitCode.DATA
    assert result.stderr.startswith(f"error: {path}: not a redisprep progress store")


def test_the_store_lives_in_the_user_data_folder_unless_overridden(tmp_path: Path) -> None:
    assert default_store_path({"REDISPREP_QUIZ_STORE": str(tmp_path / "x.db")}) == tmp_path / "x.db"
    if sys.platform.startswith("linux"):
        assert default_store_path({"XDG_DATA_HOME": "/d", "HOME": "/h"}) == Path(
            "/d/redisprep/progress.sqlite3"
        )
        assert default_store_path({"HOME": "/h"}) == Path("/h/.local/share/redisprep/progress.sqlite3")


# -- whole sessions in subprocesses -------------------------------------------------------------


def yes_deck(folder: Path, n: int) -> Path:
    """A deck of ``n`` typed cards whose answer is ``yes``, and an empty shipped-decks folder."""
    (folder / "flashcards").mkdir(parents=True)
    decks = folder / "mine"
    decks.mkdir()
    cards = "".join(
        f"  - id: yes-{i}\n    kind: typed\n    tags: [t]\n    front: Card {i}?\n"
        f"    answer: 'yes'\n    explanation: Always yes.\n"
        for i in range(n)
    )
    (decks / "always.yaml").write_text(f"format_version: 1\ndeck: always\ntitle: Always yes\ncards:\n{cards}")
    return folder


class Quiz:
    """``redisprep quiz`` in a subprocess, fed one answer per prompt."""

    PROMPT = b"answer> "

    def __init__(self, data: Path, store: Path) -> None:
        argv = [sys.executable, "-u", "-m", "redisprep", "--data-dir", str(data), "quiz"]
        argv += ["--deck-dir", str(data / "mine"), "--store", str(store), "--now", T0.isoformat()]
        env = {**os.environ, "COLUMNS": "100"}
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        self.out = b""
        self.answered = 0

    def wait_prompt(self) -> bool:
        """Wait for the next prompt; False if the session ended instead."""
        assert self.proc.stdout is not None
        deadline = time.monotonic() + DEADLINE_S
        while self.out.count(self.PROMPT) <= self.answered:
            assert time.monotonic() < deadline, self.out.decode(errors="replace")[-2000:]
            ready, _, _ = select.select([self.proc.stdout], [], [], 1.0)
            if ready:
                chunk = os.read(self.proc.stdout.fileno(), 65536)
                if not chunk:
                    assert self.proc.wait(DEADLINE_S) == 0, self.out.decode(errors="replace")[-2000:]
                    return False
                self.out += chunk
        return True

    def answer(self, text: str = "yes") -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(text.encode() + b"\n")
        self.proc.stdin.flush()
        self.answered += 1

    def finish(self) -> int:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.close()
        code = self.proc.wait(DEADLINE_S)
        self.proc.stdout.close()
        return code

    def kill(self) -> None:
        """SIGKILL this session (by its own PID) and reap it."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(DEADLINE_S)
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                try:
                    stream.close()
                except BrokenPipeError:
                    pass


@pytest.fixture
def spawn() -> Any:
    """Start sessions; any still running at the end of the test is killed by its PID."""
    started: list[Quiz] = []

    def start(data: Path, store: Path) -> Quiz:
        quiz = Quiz(data, store)
        started.append(quiz)
        return quiz

    yield start
    for quiz in started:
        quiz.kill()


def test_killing_a_session_loses_at_most_the_current_card(tmp_path: Path, spawn: Any) -> None:
    data, store = yes_deck(tmp_path, 6), tmp_path / "p.sqlite3"
    quiz = spawn(data, store)
    for _ in range(3):
        assert quiz.wait_prompt()
        quiz.answer()
    assert quiz.wait_prompt()  # the 4th card is on screen: three reviews are committed
    quiz.kill()
    assert assert_replays(store) == 3


def test_a_kill_right_after_an_answer_keeps_the_store_whole(tmp_path: Path, spawn: Any) -> None:
    data, store = yes_deck(tmp_path, 6), tmp_path / "p.sqlite3"
    quiz = spawn(data, store)
    for _ in range(4):
        assert quiz.wait_prompt()
        quiz.answer()
    quiz.kill()  # the 4th review may or may not have been committed
    assert assert_replays(store) in (3, 4)


def test_two_sessions_at_once_leave_a_consistent_store(tmp_path: Path, spawn: Any) -> None:
    data, store = yes_deck(tmp_path, 5), tmp_path / "p.sqlite3"
    a, b = spawn(data, store), spawn(data, store)
    assert a.wait_prompt() and b.wait_prompt()  # both planned their queue before any review
    live = [a, b]
    while live:  # lockstep: one answer each in turn, on the same cards
        for quiz in list(live):
            if quiz.wait_prompt():
                quiz.answer("yes" if quiz.answered % 3 else "no")
            else:
                live.remove(quiz)
    assert a.finish() == 0 and b.finish() == 0
    assert a.answered >= 5 and b.answered >= 5
    assert assert_replays(store) == a.answered + b.answered
    with Store(store) as s:
        logs = s.logs()
    for card in {log.card for log in logs}:
        rows = [log for log in logs if log.card == card]
        assert len({log.session for log in rows}) == 2  # both sessions reviewed this card...
        assert [log.state_before for log in rows].count(CardState.NEW) == 1  # ...and only one saw it new


def _foreign_database(path: Path) -> bytes:
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    db.execute("INSERT INTO invoices VALUES (1, 99.5)")
    db.commit()
    db.close()
    return path.read_bytes()


def test_a_foreign_sqlite_file_is_refused_and_left_as_it_was(tmp_path: Path, invoke: Any) -> None:
    path = tmp_path / "accounts.sqlite3"
    before = _foreign_database(path)
    with pytest.raises(DataFormatError, match="not a redisprep progress store .tables: invoices"):
        Store(path)
    result = invoke("quiz", "stats", "--store", str(path))
    assert result.exit_code == ExitCode.DATA and result.stderr.count("\n") == 1
    assert path.read_bytes() == before  # not switched to WAL, no table added, nothing reset
    assert not (tmp_path / "accounts.sqlite3-wal").exists()


@pytest.mark.parametrize(
    ("sql", "problem"),
    [
        ("UPDATE cards SET state = 'not json'", "card 'card-1': damaged state"),
        ("UPDATE cards SET state = '{\"due\": 5}'", "card 'card-1': damaged state"),
        ("UPDATE cards SET state = '[1, 2]'", "card 'card-1': damaged state"),
        ("UPDATE reviews SET state_after = '{}'", "review 1: damaged state"),
        ("UPDATE meta SET value = '{' WHERE key = 'scheduler'", "scheduler settings are damaged"),
    ],
)
def test_a_damaged_row_is_one_data_error_naming_it(
    tmp_path: Path, invoke: Any, sql: str, problem: str
) -> None:
    path = tmp_path / "p.sqlite3"
    with Store(path) as store:
        store.record("card-1", lambda s: store.scheduler.review("card-1", s, Rating.GOOD, T0))
    db = sqlite3.connect(path)
    db.execute(sql)
    db.commit()
    db.close()
    result = invoke("quiz", "stats", "--store", str(path))
    assert result.exit_code == ExitCode.DATA, result.stderr
    assert problem in result.stderr and result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
