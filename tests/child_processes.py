"""The redis-server processes this test process started and has not reaped (zombies included)."""

from __future__ import annotations

import os
from pathlib import Path


def our_servers() -> set[int]:
    """PIDs of redis-server (or valkey-server) processes whose parent is this process."""
    me, found = os.getpid(), set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        if ppid == me and name.endswith("-server"):
            found.add(int(entry.name))
    return found
