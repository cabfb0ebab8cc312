"""Acknowledged writes, ``kill -9`` at a random moment, a restart: what each persistence policy kept.

A trial starts a private server with one policy, sends ``INCR`` (each reply is the sequence number
of an acknowledged write) for a random time drawn from the drill's seeded RNG, kills the process,
starts it again on the same folder and reads the counter back. Before the kill it stops new
snapshots (``CONFIG SET save ""``) and waits for one already running: the fork child of a killed
server finishes its file anyway, so waiting changes nothing that ``kill -9`` would not, and the
``INFO persistence`` read just before the kill is then exactly what the files on disk hold.

It does not wait for the AOF buffer: with ``appendfsync everysec``, while the previous second's
background fsync is still running, Redis holds the buffer back (up to 2 s, ``flushAppendOnlyFile``
in ``src/aof.c``) yet replies, so a kill then loses what ``aof_buffer_length`` counts.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from redisprep.backends import translate_errors
from redisprep.drills.model import Scalar
from redisprep.drills.persistence.owned import owned

PolicyKind = Literal["none", "rdb", "aof"]
SAVE_EVERY_S = 1
"""The RDB policy's schedule: ``save 1 1``, a snapshot each second that saw a write."""
QUIESCE_S = 10.0
"""Longest wait for a running snapshot or rewrite to finish before the kill."""
#: ``INFO persistence`` fields read just before the kill (absent ones are shown as ``-``).
BEFORE_KILL = (
    "rdb_changes_since_last_save",
    "rdb_saves",
    "rdb_last_bgsave_status",
    "aof_last_write_status",
    "aof_buffer_length",
    "aof_pending_bio_fsync",
    "aof_delayed_fsync",
)
#: Also read, to size one logged write (7.0 logs ``INCR k`` as ``INCRBY k 1``, 6.2 as it came).
AOF_SIZES = ("aof_current_size", "aof_base_size")
KEY = "persistence:seq"


@dataclass(frozen=True, slots=True)
class Policy:
    """One way to configure persistence, as redis-server start-up options."""

    name: str
    """Short id: ``none``, ``rdb``, ``aof-always``, ``aof-everysec``, ``aof-no``."""
    shown: str
    kind: PolicyKind
    args: tuple[str, ...]


POLICIES = (
    Policy("none", "none", "none", ()),
    Policy("rdb", f"RDB save {SAVE_EVERY_S} 1", "rdb", ("--save", str(SAVE_EVERY_S), "1")),
    Policy("aof-always", "AOF always", "aof", ("--appendonly", "yes", "--appendfsync", "always")),
    Policy("aof-everysec", "AOF everysec", "aof", ("--appendonly", "yes", "--appendfsync", "everysec")),
    Policy("aof-no", "AOF no", "aof", ("--appendonly", "yes", "--appendfsync", "no")),
)
BY_NAME = {p.name: p for p in POLICIES}


@dataclass(frozen=True, slots=True)
class KillTrial:
    """One stream of acknowledged writes ended by ``kill -9``, and what a restart found."""

    policy: Policy
    acknowledged: int
    """The highest sequence number the server acknowledged (every one before it was too)."""
    restored: int
    """The counter after the restart: the writes the files on disk still held."""
    seconds: float
    """How long the stream of writes ran."""
    before: dict[str, Scalar]
    """:data:`BEFORE_KILL` as ``INFO persistence`` reported them just before the kill."""
    server: str = ""
    """The release of the private server (``redis-7.0.15``)."""

    @property
    def lost(self) -> int:
        """Acknowledged writes the restarted server no longer has."""
        return max(0, self.acknowledged - self.restored)

    @property
    def ops_per_s(self) -> float:
        """Acknowledged writes per second, one ``INCR`` per round trip."""
        return self.acknowledged / self.seconds if self.seconds > 0 else 0.0

    @property
    def buffered(self) -> int:
        """Writes Redis held in its AOF buffer just before the kill, not yet handed to the kernel.

        ``aof_buffer_length`` is in bytes; every write is logged the same way, so one write's share
        of everything logged (written plus held) converts it.
        """
        held = self._count("aof_buffer_length")
        written = self._count("aof_current_size") - self._count("aof_base_size")
        if held <= 0 or self.acknowledged <= 0:
            return 0
        return round(held / ((written + held) / self.acknowledged))

    @property
    def unsaved(self) -> int:
        """``rdb_changes_since_last_save`` just before the kill: writes newer than the last snapshot."""
        return self._count("rdb_changes_since_last_save")

    def _count(self, field: str) -> int:
        """A counter read before the kill; 0 where the server does not report it (``-``)."""
        value = self.before.get(field)
        return value if isinstance(value, int) else 0


def kill_trial(
    policy: Policy,
    duration_s: float,
    write: Callable[[Any, str], int],
    *,
    stop_check: Callable[[], None] = lambda: None,
) -> KillTrial:
    """Run one trial on a new private server (stopped and removed before this returns).

    Args:
        policy: The persistence options the server starts with (and restarts with).
        duration_s: How long to write before the kill.
        write: One acknowledged write: ``write(client, key)`` returns its sequence number.
        stop_check: Called every few hundred writes; raises to stop (the run was interrupted).

    Raises:
        BackendUnsupportedError: redis-server is not installed.
        BackendUnavailableError: It did not start, or stopped answering.
    """
    key = KEY
    with owned(*policy.args) as server:
        r = server.start()
        with translate_errors(server.label):
            acknowledged, seconds = _stream(r, key, duration_s, write, stop_check)
            before = _quiesce(r)
        server.kill()
        r = server.start()
        with translate_errors(server.label):
            restored = int(r.get(key) or 0)
    return KillTrial(policy, acknowledged, restored, seconds, before, server.release)


def _stream(
    r: Any, key: str, duration_s: float, write: Callable[[Any, str], int], stop_check: Callable[[], None]
) -> tuple[int, float]:
    """Write until ``duration_s`` has passed; the last acknowledged sequence number and the time taken."""
    acknowledged = 0
    began = time.perf_counter()
    deadline = began + duration_s
    while True:
        acknowledged = write(r, key)
        now = time.perf_counter()
        if now >= deadline:
            return acknowledged, now - began
        if acknowledged % 256 == 0:
            stop_check()


def _quiesce(r: Any) -> dict[str, Scalar]:
    """No new snapshot, none running: then ``INFO persistence`` describes the files the kill leaves."""
    r.config_set("save", "")
    deadline = time.monotonic() + QUIESCE_S
    while True:
        info = r.info("persistence")
        busy = int(info.get("rdb_bgsave_in_progress", 0)) or int(info.get("aof_rewrite_in_progress", 0))
        if not busy or time.monotonic() > deadline:
            return {field: info.get(field, "-") for field in (*BEFORE_KILL, *AOF_SIZES)}
        time.sleep(0.005)
