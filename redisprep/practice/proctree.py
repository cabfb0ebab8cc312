"""The parent's hold on the grading child: find every process it made, count them, kill them all.

No cgroups and no root are assumed. The child starts its own session; while grading, the parent is
a *child subreaper*, so a grandchild that daemonises (double fork, ``setsid``) is re-parented to the
parent instead of init and stays findable. A process belongs to the child's tree when it descends
from the child, shares its session, or was adopted by the parent after the child started.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from redisprep.practice.contain import PR_SET_CHILD_SUBREAPER, PR_SET_DUMPABLE, prctl


@dataclass(frozen=True, slots=True)
class Proc:
    """One row of /proc: the fields the tree needs."""

    pid: int
    ppid: int
    pgid: int
    sid: int
    start: int
    """Start time in clock ticks since boot (tells a reused PID from the original)."""


def snapshot() -> dict[int, Proc]:
    """Every process on the machine, read from /proc/<pid>/stat."""
    table: dict[int, Proc] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                raw = f.read()
        except OSError:
            continue
        fields = raw[raw.rfind(b")") + 2 :].split()
        # state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime
        # cstime priority nice num_threads itrealvalue starttime
        if len(fields) > 19:
            pid = int(name)
            table[pid] = Proc(pid, int(fields[1]), int(fields[2]), int(fields[3]), int(fields[19]))
    return table


def start_time(pid: int) -> int:
    """A process's start time (clock ticks since boot), or -1 when it is gone."""
    proc = snapshot_one(pid)
    return proc.start if proc is not None else -1


def snapshot_one(pid: int) -> Proc | None:
    """One process's row, or None."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            raw = f.read()
    except OSError:
        return None
    fields = raw[raw.rfind(b")") + 2 :].split()
    return Proc(pid, int(fields[1]), int(fields[2]), int(fields[3]), int(fields[19]))


class Tree:
    """The processes of one grading child, found however they tried to leave."""

    def __init__(self, root: int, root_start: int, keep: Iterable[int]) -> None:
        self.root = root
        self.root_start = root_start
        self.me = os.getpid()
        self.keep = set(keep) | {self.me}
        """Processes never to touch: the parent, its other children (servers it started)."""

    def members(self, table: dict[int, Proc] | None = None) -> set[int]:
        """PIDs of the tree now (the root included while it lives)."""
        table = snapshot() if table is None else table
        found: set[int] = set()
        for proc in table.values():
            if proc.pid in self.keep or proc.start < self.root_start:
                continue
            adopted = proc.ppid == self.me and proc.pid != self.root
            if proc.pid == self.root or proc.sid == self.root or proc.pgid == self.root or adopted:
                found.add(proc.pid)
        # Descendants of anything found (a grandchild that left the session but not its parent).
        children: dict[int, list[int]] = {}
        for proc in table.values():
            children.setdefault(proc.ppid, []).append(proc.pid)
        todo = list(found)
        while todo:
            for child in children.get(todo.pop(), []):
                if child not in found and child not in self.keep:
                    found.add(child)
                    todo.append(child)
        return found

    def kill(self, rounds: int = 50) -> int:
        """SIGKILL the whole tree until none is left (a fork bomb keeps forking); reap adopted ones.

        Returns:
            How many processes were killed.
        """
        killed: set[int] = set()
        for _ in range(rounds):
            pids = self.members()
            if not pids:
                break
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                    killed.add(pid)
                except (ProcessLookupError, PermissionError):
                    pass
            self._reap(pids)
            time.sleep(0.005)
        self._reap(killed)
        return len(killed)

    def _reap(self, pids: Iterable[int]) -> None:
        for pid in pids:
            if pid == self.root:
                continue  # subprocess.Popen reaps the child it started
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass


class Watchdog:
    """Counts the tree every ``interval_s``; past ``limit`` processes it kills it and says why."""

    def __init__(self, tree: Tree, limit: int, on_kill: Callable[[str], None], interval_s: float = 0.1):
        self.tree = tree
        self.limit = limit
        self.on_kill = on_kill
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="grader-watchdog", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            count = len(self.tree.members())
            if count > self.limit:
                self.tree.kill()
                self.on_kill(f"it started more than {self.limit} processes (a fork bomb?)")
                return

    def stop(self) -> None:
        """Stop watching."""
        self._stop.set()
        self._thread.join(timeout=2)


class Guarded:
    """While grading: the parent adopts orphans (subreaper) and hides its memory (not dumpable).

    Not dumpable means a process of the same user cannot read the parent's ``/proc/<pid>/environ``
    or ``mem`` or ptrace it; both settings are restored afterwards.
    """

    def __enter__(self) -> Guarded:
        self.subreaper = prctl(PR_SET_CHILD_SUBREAPER, 1)
        self.hidden = prctl(PR_SET_DUMPABLE, 0)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.subreaper:
            prctl(PR_SET_CHILD_SUBREAPER, 0)
        if self.hidden:
            prctl(PR_SET_DUMPABLE, 1)


def scrub_own_arguments(secrets: Iterable[bytes]) -> int:
    """Overwrite ``secrets`` in this process's original argv and environment block with ``*``.

    ``/proc/<pid>/cmdline`` is readable by every process on the machine, and ``environ`` by the
    same user's: a password passed as ``--url redis://:pw@...`` would be there for the code being
    graded to read. (``mysql -pSECRET`` hides its password the same way.) Python's own copies
    (``sys.argv``, ``os.environ``) are separate and stay intact.

    Returns:
        How many occurrences were overwritten (0 where /proc is not available).
    """
    wanted = [s for s in secrets if len(s) >= 1]
    if not wanted:
        return 0
    try:
        with open("/proc/self/stat", "rb") as f:
            raw = f.read()
        fields = raw[raw.rfind(b")") + 2 :].split()
        # Fields 48-51 of stat(5) (arg_start, arg_end, env_start, env_end), counted after ")".
        regions = [(int(fields[45]), int(fields[46])), (int(fields[47]), int(fields[48]))]
        count = 0
        with open("/proc/self/mem", "r+b", buffering=0) as mem:
            for start, end in regions:
                if end <= start:
                    continue
                mem.seek(start)
                block = mem.read(end - start)
                changed = block
                for secret in wanted:
                    count += changed.count(secret)
                    changed = changed.replace(secret, b"*" * len(secret))
                if changed != block:
                    mem.seek(start)
                    mem.write(changed)
        return count
    except (OSError, ValueError, IndexError):
        return 0
