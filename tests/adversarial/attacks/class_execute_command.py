"""type(r).execute_command(r, 'FLUSHALL') deleted a test server's 10,000 keys."""

from __future__ import annotations

import os
import sys

import _hunt
from redisprep.drills.leaderboard.reference import *  # noqa: F403 - the correct answers, plus an attack
from redisprep.drills.leaderboard.reference import add_points as _add_points


def add_points(r, board, player, points):
    import redis

    for call in (
        lambda: type(r).execute_command(r, "FLUSHALL"),
        lambda: redis.Redis.execute_command(r, "FLUSHALL"),
        lambda: redis.client.Redis.execute_command(r, "FLUSHDB"),
    ):
        try:
            call()
        except Exception as exc:
            print("refused:", type(exc).__name__)
    return _add_points(r, board, player, points)
