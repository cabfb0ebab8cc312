"""A double-forked, setsid daemon that keeps going after the grade."""

from __future__ import annotations

import os
import sys

import _hunt
from redisprep.drills.leaderboard.reference import *  # noqa: F403 - the correct answers, plus an attack
from redisprep.drills.leaderboard.reference import add_points as _add_points

ready, written = os.pipe()
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        import time

        for drop in _hunt.DROPS:
            with open(f"{drop}/daemon-{os.getpid()}.pid", "w") as f:
                f.write(str(os.getpid()))
        os.write(written, b"x")
        time.sleep(3600)
    os._exit(0)
os.wait()
os.read(ready, 1)  # the daemon is up, detached from this session and from this process
