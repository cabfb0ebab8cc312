"""Read the private redis-server's password from its command line, config and folder."""

from __future__ import annotations

import os
import sys

import _hunt
from redisprep.drills.leaderboard.reference import *  # noqa: F403 - the correct answers, plus an attack
from redisprep.drills.leaderboard.reference import add_points as _add_points

import glob

found = set()
for path in glob.glob("/proc/[0-9]*/cmdline"):
    cmd = _hunt.readable(path)
    if b"redis-server" in cmd:
        found |= set(__import__("re").findall(rb"requirepass\x00([^\x00]+)", cmd))
for path in glob.glob("/tmp/redisprep-[0-9]*/*"):
    if _hunt.readable(path):
        found.add(path.encode())
_hunt.report("private_server_files", {f.decode("latin-1") for f in found})
