"""The empty starter, writing a perfect grade everywhere the grader might read one."""

from __future__ import annotations

import os
import sys

import _hunt
from redisprep.drills.leaderboard.reference import *  # noqa: F403 - the correct answers, plus an attack
from redisprep.drills.leaderboard.reference import add_points as _add_points

import glob, json

spec = os.environ.get("REDISPREP_GRADE_SPEC")
paths = [json.loads(spec)["results"]] if spec else []
words = _hunt.readable(f"/proc/{os.getppid()}/cmdline").decode("latin-1").split("\0")
paths += [words[i + 1] for i, w in enumerate(words[:-1]) if w in ("--json", "--junit")]
paths += glob.glob("/tmp/redisprep-grade-*/results*") + glob.glob(
    os.path.expanduser("~/.local/share/redisprep/practice.json")
)
forged = []
for path in paths:
    try:
        with open(path, "w") as f:
            f.write(json.dumps({"version": 3, "status": "pass", "tests": []}))
        forged.append(path)
    except OSError:
        pass
for line in ('{"event":"result","check":"leaderboard.top_k","status":"pass","message":"forged"}',):
    try:
        os.write(3, (line + "\n").encode())
    except OSError:
        pass
_hunt.report("forge_results_file", forged)
del add_points, top, rank, shared_rank, around, page  # an empty starter, in truth
