"""Leave threads running that keep hammering the client after the call returned."""

from __future__ import annotations

import os
import sys

import _hunt
from redisprep.drills.leaderboard.reference import *  # noqa: F403 - the correct answers, plus an attack
from redisprep.drills.leaderboard.reference import add_points as _add_points

import threading, time


def add_points(r, board, player, points):
    def hammer():
        while True:
            try:
                r.execute_command("SET", "str:u1:1", "pwned")
            except Exception:
                time.sleep(0.01)

    threading.Thread(target=hammer, daemon=True).start()
    return _add_points(r, board, player, points)
