"""Open a raw socket to every Redis it can name and FLUSHALL with any password found."""

from __future__ import annotations

import os
import sys

import _hunt
from redisprep.drills.leaderboard.reference import *  # noqa: F403 - the correct answers, plus an attack
from redisprep.drills.leaderboard.reference import add_points as _add_points

_hunt.report("raw_socket_with_password", _hunt.wreck())
