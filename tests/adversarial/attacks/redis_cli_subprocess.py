"""Run redis-cli against every target, with and without the passwords found."""

from __future__ import annotations

import os
import sys

import _hunt
from redisprep.drills.leaderboard.reference import *  # noqa: F403 - the correct answers, plus an attack
from redisprep.drills.leaderboard.reference import add_points as _add_points

import shutil, subprocess

done = []
cli = shutil.which("redis-cli")
for port in _hunt.targets():
    for args in (["FLUSHALL"], ["--no-auth-warning", "-a", "guess", "FLUSHALL"]):
        if cli:
            out = subprocess.run(
                [cli, "-p", str(port), *args], capture_output=True, text=True, timeout=5
            ).stdout
            if out.strip() == "OK":
                done.append(f"redis-cli FLUSHALL on {port}")
_hunt.report("redis_cli_subprocess", done)
