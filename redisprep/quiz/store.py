"""The progress store: each card's FSRS state and every review, in one SQLite file.

A review is one transaction (``BEGIN IMMEDIATE``): the card's latest state is read, the new state
computed from it, and the log row and the state written together. Killing the process loses at most
the review in flight; two sessions at once serialise on the write lock, each review applied to the
state the other left, so the log always replays to the stored states. WAL mode lets readers work
while a session writes.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from redisprep.errors import DataFormatError, RedisprepError
from redisprep.quiz.scheduler import Review, SavedCard, Scheduler, parse_time, scheduler_id
from redisprep.resources import user_data_dir

#: Environment variable naming the store file (``--store`` wins over it).
STORE_ENV = "REDISPREP_QUIZ_STORE"
SCHEMA_VERSION = 1
BUSY_TIMEOUT_S = 10.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cards (
    id TEXT PRIMARY KEY,
    fsrs_id INTEGER NOT NULL UNIQUE,
    state TEXT NOT NULL,
    due_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS cards_due ON cards (due_ms);
CREATE TABLE IF NOT EXISTS reviews (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    card TEXT NOT NULL,
    fsrs_id INTEGER NOT NULL,
    rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
    reviewed_ms INTEGER NOT NULL,
    duration_ms INTEGER,
    state_before INTEGER NOT NULL,
    correct INTEGER,
    session TEXT NOT NULL,
    state_after TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS reviews_time ON reviews (reviewed_ms);
CREATE INDEX IF NOT EXISTS reviews_card ON reviews (card, seq);
"""


class StoreError(RedisprepError):
    """The progress store cannot be opened or written (permissions, disk full)."""


def default_store_path(environ: Mapping[str, str] | None = None) -> Path:
    """``$REDISPREP_QUIZ_STORE``, else ``progress.sqlite3`` in the user's data folder
    (:func:`redisprep.resources.user_data_dir`)."""
    env = os.environ if environ is None else environ
    if env.get(STORE_ENV):
        return Path(env[STORE_ENV]).expanduser()
    return user_data_dir(env) / "progress.sqlite3"


def to_ms(moment: datetime) -> int:
    """Milliseconds since the epoch (how times are indexed)."""
    return int(moment.timestamp() * 1000)


@dataclass(frozen=True, slots=True)
class LogRow:
    """One stored review."""

    seq: int
    card: str
    rating: int
    reviewed_ms: int
    state_before: int
    correct: bool | None
    session: str
    state_after: SavedCard


class Store:
    """One SQLite connection to the progress file; use as a context manager."""

    def __init__(self, path: Path, desired_retention: float = 0.9) -> None:
        """Open (and create) the store at ``path``.

        Raises:
            StoreError: The folder or file cannot be created or opened, or another session kept
                it locked for longer than the busy timeout.
            DataFormatError: The file exists but is not a redisprep progress store.
        """
        self.path = path
        self.session = uuid.uuid4().hex[:12]
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open the progress store {path}: {exc}") from None
        try:
            self._use_wal()
            self._db.execute("PRAGMA synchronous=NORMAL")
            with self._write():
                for statement in filter(str.strip, _SCHEMA.split(";")):
                    self._db.execute(statement)
                self._db.execute(
                    "INSERT OR IGNORE INTO meta VALUES ('schema', ?), ('scheduler', ?)",
                    (str(SCHEMA_VERSION), Scheduler(desired_retention=desired_retention).to_json()),
                )
            meta = dict(self._db.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.OperationalError as exc:
            # Locked for longer than the busy timeout, read-only, disk I/O: the file may be fine.
            self._db.close()
            raise StoreError(f"cannot open the progress store {path}: {exc}") from None
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise DataFormatError(str(path), None, f"not a redisprep progress store: {exc}") from None
        if meta.get("schema") != str(SCHEMA_VERSION):
            self._db.close()
            raise DataFormatError(
                str(path), None, f"progress store schema {meta.get('schema')!r} is not supported"
            )
        self.scheduler = Scheduler(json.loads(meta["scheduler"]))

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection (every review is already committed)."""
        self._db.close()

    def _use_wal(self) -> None:
        """Switch the file to WAL mode, waiting (up to the busy timeout) for other sessions.

        Switching rewrites the file header: SQLite opens a read transaction, then upgrades it to a
        write. A busy upgrade is never retried by SQLite's busy handler (waiting while holding a
        read lock could deadlock), so ``timeout`` does not cover it and two sessions opening a new
        store at once could see ``database is locked`` at once. Retrying here is safe: no lock is
        held between attempts.
        """
        deadline = time.monotonic() + BUSY_TIMEOUT_S
        pause = 0.001
        while True:
            try:
                self._db.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
            time.sleep(pause)
            pause = min(pause * 2, 0.05)

    @contextmanager
    def _write(self) -> Iterator[None]:
        """One write transaction holding SQLite's write lock from the start."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def states(self) -> dict[str, SavedCard]:
        """Every card's saved state, by card id."""
        rows = self._db.execute("SELECT id, state FROM cards").fetchall()
        return {card: json.loads(state) for card, state in rows}

    def record(
        self,
        card_id: str,
        rate: Callable[[SavedCard | None], Review],
        correct: bool | None = None,
    ) -> Review:
        """Apply one review atomically: ``rate`` gets the card's latest stored state.

        Args:
            card_id: The card's string id.
            rate: Computes the review from the current state (called inside the transaction, so a
                concurrent session's review of the same card is never overwritten).
            correct: For auto-graded cards, whether the answer was right.

        Raises:
            StoreError: The write failed (disk full, store locked for longer than the timeout).
        """
        try:
            with self._write():
                row = self._db.execute("SELECT state FROM cards WHERE id = ?", (card_id,)).fetchone()
                review = rate(json.loads(row[0]) if row else None)
                after = json.dumps(review.after)
                self._db.execute(
                    "INSERT INTO reviews (card, fsrs_id, rating, reviewed_ms, duration_ms, state_before, "
                    "correct, session, state_after) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        card_id,
                        scheduler_id(card_id),
                        int(review.rating),
                        to_ms(review.reviewed_at),
                        review.duration_ms,
                        int(review.state_before),
                        None if correct is None else int(correct),
                        self.session,
                        after,
                    ),
                )
                self._db.execute(
                    "INSERT INTO cards (id, fsrs_id, state, due_ms) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (id) DO UPDATE SET state = excluded.state, due_ms = excluded.due_ms",
                    (card_id, scheduler_id(card_id), after, to_ms(review.due)),
                )
        except sqlite3.Error as exc:
            raise StoreError(f"cannot write the progress store {self.path}: {exc}") from None
        return review

    def logs(self, since: datetime | None = None) -> list[LogRow]:
        """Reviews in the order they were recorded (optionally only those at or after ``since``)."""
        floor = to_ms(since) if since is not None else -(2**62)
        rows = self._db.execute(
            "SELECT seq, card, rating, reviewed_ms, state_before, correct, session, state_after "
            "FROM reviews WHERE reviewed_ms >= ? ORDER BY seq",
            (floor,),
        ).fetchall()
        return [
            LogRow(seq, card, rating, ms, before, None if ok is None else bool(ok), sess, json.loads(after))
            for seq, card, rating, ms, before, ok, sess, after in rows
        ]

    def first_reviews_since(self, since: datetime) -> set[str]:
        """Cards whose first review happened at or after ``since`` (new cards started today)."""
        rows = self._db.execute(
            "SELECT card FROM reviews WHERE state_before = 0 AND reviewed_ms >= ?", (to_ms(since),)
        ).fetchall()
        return {r[0] for r in rows}

    def integrity(self) -> str:
        """SQLite's own integrity check (``ok`` when the file is sound)."""
        return str(self._db.execute("PRAGMA integrity_check").fetchone()[0])


def due_of(saved: SavedCard) -> datetime:
    """When a saved card is due."""
    return parse_time(saved["due"])
