"""The terminal side of ``practice watch``: wait for a save of the learner's file or for a key press."""

from __future__ import annotations

import contextlib
import os
import select
import sys
import termios
import time
import tty
from collections.abc import Iterator
from pathlib import Path

#: How often the learner's file is looked at (a save is noticed within this, plus the grade).
POLL_S = 0.2


def mtime(path: Path) -> int:
    """``path``'s modification time in ns, 0 when it does not exist."""
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


@contextlib.contextmanager
def keys() -> Iterator[None]:
    """Single key presses without Enter while inside (cbreak mode), when stdin is a terminal."""
    if not sys.stdin.isatty():
        yield
        return
    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd)
    try:
        tty.setcbreak(fd)
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def wait(path: Path, since: int) -> str:
    """Block until ``path`` changes (returns ``"save"``) or a key is pressed (returns the key)."""
    while True:
        if mtime(path) != since:
            return "save"
        ready, _, _ = select.select([sys.stdin], [], [], POLL_S)
        if ready:
            key = os.read(sys.stdin.fileno(), 1).decode("utf-8", "replace")
            if key == "":
                return "q"  # stdin closed
            return key.lower()
        time.sleep(0)
