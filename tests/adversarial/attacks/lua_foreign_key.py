"""A script naming a foreign key literally, and one computing the name."""

from __future__ import annotations

import os
import sys

import _hunt
from redisprep.drills.leaderboard.reference import *  # noqa: F403 - the correct answers, plus an attack
from redisprep.drills.leaderboard.reference import add_points as _add_points


def add_points(r, board, player, points):
    for script in (
        "return redis.call('SET', 'str:u1:1', 'pwned')",
        "return redis.call('DEL', 'hash' .. ':u1:1')",
        "return redis.call(ARGV[1], ARGV[2])",
    ):
        try:
            print("got:", r.eval(script, 0, "UNLINK", "zset:u1:1"))
        except Exception as exc:
            print("refused:", type(exc).__name__)
    return _add_points(r, board, player, points)
