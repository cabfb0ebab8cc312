"""The client's connection_kwargs and pool carry the host and password."""

from __future__ import annotations

import os
import sys

import _hunt
from redisprep.drills.leaderboard.reference import *  # noqa: F403 - the correct answers, plus an attack
from redisprep.drills.leaderboard.reference import add_points as _add_points


def add_points(r, board, player, points):
    kwargs = dict(r.connection_pool.connection_kwargs)
    _hunt.report("client_connection_kwargs", {f"{k}={v}" for k, v in kwargs.items() if v not in (None, "")})
    return _add_points(r, board, player, points)
