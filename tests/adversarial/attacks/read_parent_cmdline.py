"""The parent's command line holds --url redis://:pw@...: read it from /proc."""

from __future__ import annotations

import os
import sys

import _hunt
from redisprep.drills.leaderboard.reference import *  # noqa: F403 - the correct answers, plus an attack
from redisprep.drills.leaderboard.reference import add_points as _add_points

raw = _hunt.readable(f"/proc/{os.getppid()}/cmdline") + _hunt.readable(f"/proc/{os.getppid()}/environ")
found = {w for w in raw.decode("latin-1").split("\0") if "redis" in w and "@" in w and "***" not in w}
_hunt.report("read_parent_cmdline", found | set(_hunt.wreck()))
