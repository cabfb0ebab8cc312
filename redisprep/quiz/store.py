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
from redisprep.quiz.scheduler import Review, SavedCard, Scheduler, scheduler_id
from redisprep.resources import user_data_dir

#: Environment variable naming the store file (``--store`` wins over it).
STORE_ENV = "REDISPREP_QUIZ_STORE"
SCHEMA_VERSION = 1
BUSY_TIMEOUT_S = 10.0
#: ``PRAGMA application_id`` of a progress store ("rprs"); stores made before it was set have 0.
APPLICATION_ID = 0x72707273
#: The tables a progress store has (``sqlite_sequence`` comes with AUTOINCREMENT).
TABLES = frozenset({"meta", "cards", "reviews", "sqlite_sequence"})

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
            # Nothing is written before the file is known to be ours: a foreign database or a
            # damaged store is refused as it is, never "repaired" into an empty store.
            self._check_is_ours()
            self._use_wal()
            self._db.execute("PRAGMA synchronous=NORMAL")
            with self._write():
                for statement in filter(str.strip, _SCHEMA.split(";")):
                    self._db.execute(statement)
                self._db.execute(
                    "INSERT OR IGNORE INTO meta VALUES ('schema', ?), ('scheduler', ?)",
                    (str(SCHEMA_VERSION), Scheduler(desired_retention=desired_retention).to_json()),
                )
                if int(self._db.execute("PRAGMA application_id").fetchone()[0]) == 0:
                    self._db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
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
        try:
            self.scheduler = Scheduler(json.loads(meta["scheduler"]))
        except (KeyError, TypeError, ValueError) as exc:
            self._db.close()
            raise DataFormatError(str(path), None, f"the scheduler settings are damaged ({exc})") from None

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

    def _check_is_ours(self) -> None:
        """Refuse a database that is not a progress store (another program's, or damaged).

        Raises:
            DataFormatError: It has tables of its own, lacks ours, or has another application id.
            sqlite3.DatabaseError: The file is not a database at all.
        """
        app_id = int(self._db.execute("PRAGMA application_id").fetchone()[0])
        tables = {r[0] for r in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not tables and app_id == 0:
            return  # a new, empty file
        extra, missing = tables - TABLES, {"meta", "cards", "reviews"} - tables
        if app_id not in (0, APPLICATION_ID) or extra or missing:
            found = ", ".join(sorted(tables)) or "none"
            raise DataFormatError(
                str(self.path), None, f"not a redisprep progress store (tables: {found}); left as it is"
            )

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
        """Every card's saved state, by card id.

        Raises:
            DataFormatError: A row is damaged (the message names the card).
        """
        rows = self._db.execute("SELECT id, state FROM cards").fetchall()
        return {str(card): self._state(f"card {card!r}", state) for card, state in rows}

    def _state(self, where: str, text: object) -> SavedCard:
        """A stored card state, checked the way the scheduler will read it."""
        try:
            state = json.loads(str(text))
            card = fsrs_card(state)
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            raise DataFormatError(str(self.path), None, f"{where}: damaged state ({exc})") from None
        del card
        return state  # type: ignore[no-any-return]

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
        out = []
        for seq, card, rating, ms, before, ok, sess, after in rows:
            if not (
                isinstance(rating, int)
                and 1 <= rating <= 4
                and isinstance(ms, int)
                and isinstance(before, int)
            ):
                raise DataFormatError(str(self.path), None, f"review {seq}: damaged row")
            state = self._state(f"review {seq}", after)
            out.append(
                LogRow(seq, str(card), rating, ms, before, None if ok is None else bool(ok), str(sess), state)
            )
        return out

    def first_reviews_since(self, since: datetime) -> set[str]:
        """Cards whose first review happened at or after ``since`` (new cards started today)."""
        rows = self._db.execute(
            "SELECT card FROM reviews WHERE state_before = 0 AND reviewed_ms >= ?", (to_ms(since),)
        ).fetchall()
        return {r[0] for r in rows}


def fsrs_card(state: object) -> object:
    """The ``fsrs.Card`` a stored state describes (raises what ``from_dict`` raises on a bad one)."""
    import fsrs

    if not isinstance(state, dict):
        raise TypeError("not an object")
    return fsrs.Card.from_dict(state)
