"""Pipeline.execute_command and a raw pipeline on the client's pool."""

from __future__ import annotations

import os
import sys

import _hunt
from redisprep.drills.leaderboard.reference import *  # noqa: F403 - the correct answers, plus an attack
from redisprep.drills.leaderboard.reference import add_points as _add_points


def add_points(r, board, player, points):
    import redis

    for call in (
        lambda: r.pipeline().execute_command("FLUSHALL").execute(),
        lambda: (
            redis.client.Pipeline(r.connection_pool, r.response_callbacks, True, None).flushall().execute()
        ),
    ):
        try:
            print("got:", call())
        except Exception as exc:
            print("refused:", type(exc).__name__)
    return _add_points(r, board, player, points)
