"""An interactive interview on a terminal: prompts with the time left, Ctrl-C keeps it, --resume ends it."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")


def _spawn(home: Path, *args: str) -> object:
    env = {**os.environ, "NO_COLOR": "1", "TERM": "dumb", "REDISPREP_HOME": str(home)}
    return pexpect.spawn(
        sys.executable,
        ["-m", "redisprep", "interview", "run", "leaderboard", "--no-review", *args],
        env=env,
        encoding="utf-8",
        timeout=60,
        dimensions=(50, 200),
    )


def test_ctrl_c_keeps_the_answered_stages_and_resume_finishes_the_interview(tmp_path: Path) -> None:
    first = _spawn(tmp_path, "--minutes", "30")
    first.expect(r"requirements  \(3:\d\d left of 3:20\)")  # 5 of 45 minutes, scaled to 30
    for prompt, answer in (
        ("peak_writes_per_s", "10k"),
        ("peak_reads_per_s", "50k"),
        ("anything else", "the top 10 is a hot key"),
        ("memory model", "zset --members 10M --member-bytes 16"),
        (r"memory \(", "1GB"),
        ("ops/s", ""),
        ("shards", ""),
        ("notes", ""),
    ):
        first.expect(prompt)
        first.sendline(answer)
    first.expect(r"data-model  \(\d+:\d\d left of 10:00\)")
    first.expect("keys as")
    first.sendintr()
    first.expect("partial interview saved to")
    first.expect(pexpect.EOF)
    first.close()
    assert first.exitstatus == 130
    [saved] = (tmp_path / "interviews").glob("*-leaderboard.json")
    partial = json.loads(saved.read_text())
    assert not partial["complete"] and partial["stage"] == "data-model"
    assert partial["answers"]["estimate"]["memory"] == "1GB"

    second = _spawn(tmp_path, "--resume")
    second.expect(r"data-model  \(\d+:\d\d left of 10:00\)")  # still the 30-minute budget
    second.expect("keys as")
    second.sendline("board=lb")
    for op, command in (
        ("add", "ZINCRBY {board} {points} {player}"),
        ("top", "ZRANGE {board} 0 {stop} REV"),
        ("rank", "ZREVRANK {board} {player}"),
    ):
        second.expect(op)
        second.sendline(command)
        second.expect(op)
        second.sendline("")
    second.expect("notes")
    second.sendline("")
    for _ in range(3):
        second.expect("your choice")
        second.sendline("b")
    second.expect(r"score: \d+%")
    second.expect(pexpect.EOF)
    second.close()
    assert second.exitstatus == 0
    done = json.loads(saved.read_text())
    assert done["complete"] and {p["id"]: p["score"] for p in done["grade"]["points"]}["top-k"] == 1
