"""What the grading child does to itself before the learner's code runs: limits, a lesser user, no fds.

Everything here runs in the child, after the imports the learner may need and before the learner's
module is executed. Without root the child keeps the user's account (the README says what that
leaves open); as root it becomes ``nobody``, so it can neither read the parent's memory, files or
environment nor signal its processes, and ``RLIMIT_NPROC`` (which root ignores) holds.
"""

from __future__ import annotations

import ctypes
import os
import resource
import secrets
import signal
import threading
from dataclasses import dataclass

#: prctl(2) options (linux/prctl.h).
PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38


@dataclass(frozen=True, slots=True)
class ResourceLimits:
    """Resource limits for the child (soft and hard alike, so the learner cannot raise them)."""

    memory_bytes: int = 1 << 30
    """RLIMIT_AS: address space, so an allocation bomb fails with MemoryError."""
    cpu_s: int = 120
    """RLIMIT_CPU: CPU seconds of each process (wall-clock limits are the parent's job)."""
    processes: int = 128
    """RLIMIT_NPROC: processes and threads beyond those the user already runs (root ignores it)."""
    file_bytes: int = 16 << 20
    """RLIMIT_FSIZE: largest file the child may write."""
    open_files: int = 256
    """RLIMIT_NOFILE."""
    thread_stack_bytes: int = 1 << 20
    """Stack of each thread the child starts (many at once under RLIMIT_AS)."""


def prctl(option: int, value: int) -> bool:
    """Call prctl(2); False where it is not available (not Linux) or refused."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(option, value, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


#: The range a grading's own uid is drawn from (no account and no process may hold it).
RUN_UIDS = (40_000, 60_000)


def unprivileged_ids() -> tuple[int, int] | None:
    """The (uid, gid) to run learner code as when we are root, else None (keep ours).

    A uid of its own for each grading, unused by any account and any process: RLIMIT_NPROC counts
    per uid, so with a shared ``nobody`` one learner's fork bomb left another grading running at
    the same time no thread to start. Chosen below 65536, which every user namespace maps.
    """
    if os.geteuid() != 0:
        return None
    import pwd

    try:
        nobody = pwd.getpwnam("nobody")
        fallback = (nobody.pw_uid, nobody.pw_gid)
    except KeyError:
        fallback = (65534, 65534)
    for _ in range(20):
        uid = RUN_UIDS[0] + secrets.randbelow(RUN_UIDS[1] - RUN_UIDS[0])
        try:
            pwd.getpwuid(uid)
            continue  # an account's
        except KeyError:
            pass
        if processes_of(uid) == 0:
            return (uid, fallback[1])
    return fallback


def processes_of(uid: int) -> int:
    """How many tasks (processes and threads) ``uid`` runs now, as RLIMIT_NPROC counts them."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            if entry.stat().st_uid == uid:
                total += len(os.listdir(f"/proc/{entry.name}/task"))
        except OSError:
            continue
    return total


def confine(
    limits: ResourceLimits, ids: tuple[int, int] | None, parent: int, keep_fds: tuple[int, ...]
) -> None:
    """Become the contained process: lesser user, no stray fds, limits, parent-death signal.

    Args:
        limits: The resource limits.
        ids: (uid, gid) to switch to, or None to keep the current user.
        parent: The grader's PID; if it is already gone the child exits.
        keep_fds: Descriptors to keep besides 0, 1 and 2 (the pipe to the parent).
    """

    if ids is not None:
        uid, gid = ids
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)
    prctl(PR_SET_NO_NEW_PRIVS, 1)
    # Set after changing user: the kernel clears the parent-death signal when credentials change.
    prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL))
    if os.getppid() != parent:
        os._exit(70)
    _close_fds_except((0, 1, 2, *keep_fds))
    uid = os.getuid()
    budget = limits.processes + (processes_of(uid) if uid != 0 else 0)
    for name, value in (
        ("RLIMIT_AS", limits.memory_bytes),
        ("RLIMIT_CPU", limits.cpu_s),
        ("RLIMIT_NPROC", budget),
        ("RLIMIT_FSIZE", limits.file_bytes),
        ("RLIMIT_NOFILE", limits.open_files),
        ("RLIMIT_CORE", 0),
    ):
        kind = getattr(resource, name, None)
        if kind is not None:
            _lower(kind, value)
    # A write past RLIMIT_FSIZE then fails with an error instead of killing the process.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    threading.stack_size(limits.thread_stack_bytes)


def _lower(kind: int, value: int) -> None:
    soft, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    try:
        resource.setrlimit(kind, (value, value))
    except (ValueError, OSError):
        pass


def _close_fds_except(keep: tuple[int, ...]) -> None:
    try:
        fds = [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:
        fds = list(range(3, 1024))
    for fd in fds:
        if fd not in keep:
            try:
                os.close(fd)
            except OSError:
                pass
