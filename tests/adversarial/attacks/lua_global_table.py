"""Lua reaching redis.call through _G."""

from __future__ import annotations

import os
import sys

import _hunt
from redisprep.drills.leaderboard.reference import *  # noqa: F403 - the correct answers, plus an attack
from redisprep.drills.leaderboard.reference import add_points as _add_points


def add_points(r, board, player, points):
    try:
        r.eval("return _G['redis'].call('FLUSHALL')", 0)
    except Exception as exc:
        print("refused:", type(exc).__name__)
    return _add_points(r, board, player, points)
