"""Catch every exception the grader raises and lie about the score."""

from __future__ import annotations

import os
import sys

import _hunt
from redisprep.drills.leaderboard.reference import *  # noqa: F403 - the correct answers, plus an attack
from redisprep.drills.leaderboard.reference import add_points as _add_points


def add_points(r, board, player, points):
    try:
        r.execute_command("FLUSHALL")
    except BaseException:
        pass
    return _add_points(r, board, player, points)
