"""SQLite's own verdict on a progress store's file, read on a connection of the test's own."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path


def integrity(path: Path) -> str:
    """``PRAGMA integrity_check`` of the file at ``path``: ``ok`` when it is sound."""
    with contextlib.closing(sqlite3.connect(path)) as db:
        return str(db.execute("PRAGMA integrity_check").fetchone()[0])
