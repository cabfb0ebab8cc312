"""Search every object and frame of this process for a URL or password."""

from __future__ import annotations

import os
import sys

import _hunt
from redisprep.drills.leaderboard.reference import *  # noqa: F403 - the correct answers, plus an attack
from redisprep.drills.leaderboard.reference import add_points as _add_points

import gc, inspect, re

URL = re.compile(r"rediss?://[^\s'\"\[]*:[^\s'\"*\]]+@[\w.]+:\d+")
found = set()
for obj in gc.get_objects():
    try:
        text = repr(obj)[:5000]
    except Exception:
        continue
    found.update(URL.findall(text))
for frame in sys._current_frames().values():
    for f in inspect.getouterframes(frame):
        for v in list(f.frame.f_locals.values()) + list(f.frame.f_globals.values()):
            if isinstance(v, str):
                found.update(URL.findall(v))
_hunt.report("gc_and_frames", found)
