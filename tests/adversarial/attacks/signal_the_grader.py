"""Kill or stop the grader, and the private server, from inside a check."""

from __future__ import annotations

import os
import sys

import _hunt
from redisprep.drills.leaderboard.reference import *  # noqa: F403 - the correct answers, plus an attack
from redisprep.drills.leaderboard.reference import add_points as _add_points

import signal


def add_points(r, board, player, points):
    results = []
    for pid in {
        os.getppid(),
        *[
            int(p.split("/")[2])
            for p in __import__("glob").glob("/proc/[0-9]*/cmdline")
            if b"redis-server" in _hunt.readable(p)
        ],
    }:
        for sig in (signal.SIGSTOP, signal.SIGKILL):
            try:
                os.kill(pid, sig)
                results.append(f"sent {sig.name} to {pid}")
            except OSError:
                pass
    _hunt.report("signal_the_grader", results)
    return _add_points(r, board, player, points)
