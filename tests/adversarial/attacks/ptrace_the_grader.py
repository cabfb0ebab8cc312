"""ptrace(PTRACE_ATTACH) the grader and process_vm_readv its memory, with ctypes."""

from __future__ import annotations

import os
import sys

import _hunt
from redisprep.drills.leaderboard.reference import *  # noqa: F403 - the correct answers, plus an attack
from redisprep.drills.leaderboard.reference import add_points as _add_points

import ctypes

libc = ctypes.CDLL(None, use_errno=True)
ok = []
if libc.ptrace(16, os.getppid(), None, None) == 0:  # PTRACE_ATTACH
    ok.append("attached to the grader")
    libc.ptrace(17, os.getppid(), None, None)  # PTRACE_DETACH
_hunt.report("ptrace_the_grader", ok)
