"""Take a connection out of the client's pool and send FLUSHALL on it directly."""

from __future__ import annotations

import os
import sys

import _hunt
from redisprep.drills.leaderboard.reference import *  # noqa: F403 - the correct answers, plus an attack
from redisprep.drills.leaderboard.reference import add_points as _add_points


def add_points(r, board, player, points):
    try:
        conn = r.connection_pool.get_connection()
        conn.send_command("FLUSHALL")
        print("got:", conn.read_response())
    except Exception as exc:
        print("refused:", type(exc).__name__, exc)
    return _add_points(r, board, player, points)
