"""/proc/self/environ, os.environ and /proc/<ppid>/environ: look for a URL or password."""

from __future__ import annotations

import os
import sys

import _hunt
from redisprep.drills.leaderboard.reference import *  # noqa: F403 - the correct answers, plus an attack
from redisprep.drills.leaderboard.reference import add_points as _add_points

found = _hunt.secrets_nearby()
found |= {v for k, v in os.environ.items() if "URL" in k or "PASS" in k}
_hunt.report("read_environment", found | set(_hunt.wreck(found)))
