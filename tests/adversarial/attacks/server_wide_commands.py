"""Every server-wide command through the client it was given."""

from __future__ import annotations

import os
import sys

import _hunt
from redisprep.drills.leaderboard.reference import *  # noqa: F403 - the correct answers, plus an attack
from redisprep.drills.leaderboard.reference import add_points as _add_points


def add_points(r, board, player, points):
    for argv in (
        ["FLUSHALL"],
        ["FLUSHDB"],
        ["KEYS", "*"],
        ["SCAN", "0"],
        ["RANDOMKEY"],
        ["SELECT", "1"],
        ["SWAPDB", "0", "1"],
        ["CONFIG", "SET", "maxmemory", "1"],
        ["CONFIG", "GET", "requirepass"],
        ["ACL", "LIST"],
        ["ACL", "SETUSER", "default", "nopass"],
        ["CLIENT", "LIST"],
        ["CLIENT", "KILL", "TYPE", "normal"],
        ["SCRIPT", "FLUSH"],
        ["FUNCTION", "FLUSH"],
        ["INFO", "keyspace"],
        ["DEBUG", "SLEEP", "0"],
        ["SHUTDOWN", "NOSAVE"],
        ["MOVE", board, "1"],
        ["COPY", board, board + "x", "DB", "1"],
        ["MIGRATE", "127.0.0.1", "1", board, "0", "1"],
    ):
        try:
            print("got:", argv[0], r.execute_command(*argv))
        except Exception as exc:
            print("refused:", argv[0], type(exc).__name__)
    return _add_points(r, board, player, points)
