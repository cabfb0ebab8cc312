"""os._exit in the middle of the concurrent check, from a worker thread."""

from __future__ import annotations

import os
import sys

import _hunt
from redisprep.drills.leaderboard.reference import *  # noqa: F403 - the correct answers, plus an attack
from redisprep.drills.leaderboard.reference import add_points as _add_points

import threading

_calls = [0]
_lock = threading.Lock()


def add_points(r, board, player, points):
    with _lock:
        _calls[0] += 1
        if _calls[0] == 37:
            os._exit(9)
    return _add_points(r, board, player, points)
