"""`practice watch` as a person uses it, in a real terminal: save, read the first failure, ask for a
hint, fix the module, move on to the next exercise, quit."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")

REFERENCE = Path(__file__).resolve().parent.parent / "redisprep" / "drills" / "leaderboard" / "reference.py"
WRONG = Path(__file__).resolve().parent.parent / "drills" / "leaderboard" / "wrong" / "ascending_top.py"


def _spawn(tmp_path: Path, *args: str) -> object:
    scratch = tmp_path / "tmp"  # the grading children's workspaces (TMPDIR), checked at the end
    scratch.mkdir(exist_ok=True)
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200", "TERM": "dumb", "TMPDIR": str(scratch)}
    return pexpect.spawn(
        sys.executable,
        ["-m", "redisprep", "practice", *args],
        cwd=str(tmp_path),
        env=env,
        encoding="utf-8",
        timeout=60,
        dimensions=(50, 200),
    )


def _save(path: Path, text: str) -> None:
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text)
    while path.stat().st_mtime_ns == before:  # a coarse clock: make sure the save is seen
        time.sleep(0.01)
        path.write_text(text)


def test_watch_regrades_on_save_shows_hints_and_moves_on(tmp_path: Path) -> None:
    module = tmp_path / "practice" / "leaderboard.py"
    start = _spawn(tmp_path, "start", "leaderboard")
    start.expect(pexpect.EOF)
    assert module.is_file()

    watch = _spawn(tmp_path, "watch", "leaderboard")
    watch.expect("watching practice/leaderboard.py for leaderboard")
    watch.expect(r"0 of \d+ checks passed")
    watch.expect("first failing: leaderboard.concurrent_add")
    watch.expect("NotImplementedError")

    watch.send("h")
    watch.expect("hint 1/")
    watch.expect("Redis can do the arithmetic for you")

    _save(module, WRONG.read_text())
    watch.expect("saved: grading again")
    watch.expect("first failing: leaderboard.top_k")
    watch.expect("pitfall: top-K must be ZRANGE ... REV")
    watch.expect("flashcards teach what failed")

    _save(module, REFERENCE.read_text())
    watch.expect("saved: grading again")
    watch.expect(r"all \d+ checks passed")

    watch.send("n")
    watch.expect("for lock")
    assert _children_in(tmp_path / "tmp"), "premise: the next grade's child waits, started, in a workspace"
    watch.send("q")
    watch.expect(pexpect.EOF)
    watch.close()
    assert watch.exitstatus == 0
    assert _children_in(tmp_path / "tmp") == [] and list((tmp_path / "tmp").iterdir()) == []


def _children_in(folder: Path) -> list[int]:
    """Processes whose working directory is inside ``folder`` (grading children run in their workspace)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            cwd = Path(os.readlink(entry / "cwd"))
        except (OSError, ValueError):
            continue
        if cwd.is_relative_to(folder):
            found.append(int(entry.name))
    return found
