"""Return an object whose __reduce__ would run code if the grader unpickled it."""

from __future__ import annotations

import os
import sys

import _hunt
from redisprep.drills.leaderboard.reference import *  # noqa: F403 - the correct answers, plus an attack
from redisprep.drills.leaderboard.reference import add_points as _add_points


class Boom:
    def __reduce__(self):
        return (os.system, ("touch /tmp/redisprep-adversarial-pickle-ran",))


def top(r, board, k):
    return [Boom()]
