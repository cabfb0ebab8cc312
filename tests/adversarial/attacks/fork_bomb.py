"""Fork until something gives."""

from __future__ import annotations

import os
import sys

import _hunt
from redisprep.drills.leaderboard.reference import *  # noqa: F403 - the correct answers, plus an attack
from redisprep.drills.leaderboard.reference import add_points as _add_points


def add_points(r, board, player, points):
    children = 0
    try:
        for _ in range(100000):
            if os.fork() == 0:
                import time

                for drop in _hunt.DROPS:  # so the test can look for exactly these afterwards
                    try:
                        with open(f"{drop}/bomb-{os.getpid()}.pid", "w") as f:
                            f.write(str(os.getpid()))
                    except OSError:
                        pass
                time.sleep(3600)
                os._exit(0)
            children += 1
    except OSError as exc:
        print(f"stopped after {children} forks:", exc)
    return _add_points(r, board, player, points)
