"""Write into the user's home and the grader's own files."""

from __future__ import annotations

import os
import sys

import _hunt
from redisprep.drills.leaderboard.reference import *  # noqa: F403 - the correct answers, plus an attack
from redisprep.drills.leaderboard.reference import add_points as _add_points

written = []
for path in (
    os.path.expanduser("~/.bashrc"),
    "/root/.bashrc",
    "/etc/redisprep-pwned",
    f"/proc/{os.getppid()}/cwd/pwned",
):
    try:
        with open(path, "a") as f:
            f.write("# pwned\n")
        written.append(path)
    except OSError:
        pass
_hunt.report("write_outside_workspace", written)
