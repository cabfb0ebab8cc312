"""Lua reaching redis.call with rawget, and a call aliased to a local."""

from __future__ import annotations

import os
import sys

import _hunt
from redisprep.drills.leaderboard.reference import *  # noqa: F403 - the correct answers, plus an attack
from redisprep.drills.leaderboard.reference import add_points as _add_points


def add_points(r, board, player, points):
    for script in (
        "return rawget(redis, 'call')('FLUSHALL')",
        "local c = redis.call c('FLUSHDB') return 1",
        "return redis['pcall']('DEL', 'str:u1:1')",
        "return redis.call('KEYS', '*')",
    ):
        try:
            print("got:", r.eval(script, 0))
        except Exception as exc:
            print("refused:", type(exc).__name__)
    return _add_points(r, board, player, points)
