"""The private redis-server and Sentinel processes one replication trial starts, and their removal.

Every process is started here on loopback, dies with the thread that started it (a killed redisprep
leaves none behind), and is stopped by its PID on every way out of :class:`Fleet`: a paused
(SIGSTOP) process is continued first, then killed, and its folder is removed.
"""

from __future__ import annotations

import signal
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from redisprep import signals
from redisprep.errors import BackendUnavailableError, BackendUnsupportedError
from redisprep.localserver import (
    LocalServer,
    ServerBinaryMissingError,
    find_binary,
    free_port,
    start_server,
)

SYNC_TIMEOUT_S = 5.0
SENTINEL_PING_TIMEOUT_S = 5.0
RETRY_S = 0.01
SYNC_ARGS = ("--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0")
"""A new replica's first full sync starts at once (Redis 7.0 waits 5 s for more replicas by default)."""
SERVER_NEEDED = (
    "the replication drill cannot show replication on the embedded fakeredis or on your server: it "
    "starts its own redis-server processes; install redis-server (or set $REDISPREP_SERVER to a "
    "redis-server or valkey-server binary), then run `redisprep drill replication`"
)


def binary() -> str:
    """The server binary the trials start (``$REDISPREP_SERVER`` or ``redis-server`` on PATH).

    Raises:
        BackendUnsupportedError: None is installed (exit code 4), with the command to run instead.
    """
    try:
        return find_binary()
    except ServerBinaryMissingError as exc:
        raise BackendUnsupportedError(f"{SERVER_NEEDED} ({exc})") from None


def client(port: int, timeout_s: float = 2.0) -> Any:
    """A plain redis-py client on a private server (text replies, no retries)."""
    import redis

    return redis.Redis(
        host="127.0.0.1",
        port=port,
        decode_responses=True,
        socket_timeout=timeout_s,
        socket_connect_timeout=timeout_s,
        retry=no_retry(),
    )


def no_retry() -> Any:
    """redis-py's retry policy that never retries: each attempt the drill counts is one try."""
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    return Retry(NoBackoff(), 0)


class Fleet:
    """Servers and sentinels of one trial; leaving the ``with`` block stops all of them."""

    def __init__(self) -> None:
        self.processes: list[LocalServer] = []
        self.paused: set[int] = set()
        self.clients: list[Any] = []

    def __enter__(self) -> Fleet:
        binary()  # fail before starting anything when there is no server to start
        return self

    def __exit__(self, *exc: object) -> None:
        # A Ctrl-C now must not leave a paused server behind, nor be lost: it is raised once every
        # process is stopped (a trial that was ending normally then stops the drill, as pressed).
        with signals.deferred():
            self.close()

    def _started(self, start: Callable[[], LocalServer]) -> LocalServer:
        """Run ``start`` with stop signals deferred, so none lands between the fork and the record."""
        with signals.deferred():
            try:
                process = start()
            except (BackendUnavailableError, OSError) as exc:
                raise BackendUnavailableError(
                    f"a private server for the replication drill did not start: {exc}"
                ) from None
            self.processes.append(process)
        return process

    def server(self, *extra: str, port: int | None = None) -> LocalServer:
        """A new private redis-server (``extra``: more start-up arguments; ``port``: a free one)."""
        args = (*SYNC_ARGS, *extra)
        return self._started(lambda: start_server(*args, port=port, die_with_parent=True))

    def replica_of(self, primary: LocalServer) -> LocalServer:
        """A new private redis-server replicating ``primary``, once its link is up."""
        replica = self.server("--replicaof", "127.0.0.1", str(primary.port))
        r = self.connect(replica.port)
        wait_until(lambda: r.info("replication").get("master_link_status") == "up", "replica link up")
        return replica

    def sentinel(self, primary: LocalServer, *, name: str, quorum: int, down_after_ms: int) -> LocalServer:
        """A new Sentinel (the same binary with ``--sentinel``) monitoring ``primary`` as ``name``."""
        return self._started(lambda: _start_sentinel(primary.port, name, quorum, down_after_ms))

    def connect(self, port: int, timeout_s: float = 2.0) -> Any:
        """A client on one of the fleet's servers, closed with the fleet."""
        c = client(port, timeout_s)
        self.clients.append(c)
        return c

    def pause(self, process: LocalServer) -> None:
        """SIGSTOP, and wait until the kernel shows it stopped; undone on every exit path."""
        self.paused.add(process.pid)
        process._signal(signal.SIGSTOP)  # noqa: SLF001 (by PID, through the Popen we hold)
        wait_until(lambda: self.still_paused(process), "the replica paused")

    def still_paused(self, process: LocalServer) -> bool:
        """Whether a paused process is still stopped (True where ``/proc`` cannot tell).

        The servers share redisprep's process group, so job control reaches them too: Ctrl-Z then
        ``fg`` in the terminal, or the group becoming orphaned, sends SIGCONT to every member.
        """
        try:
            stat = Path(f"/proc/{process.pid}/stat").read_text()
        except OSError:
            return True
        return stat.rpartition(")")[2].split()[:1] in (["T"], ["t"])

    def resume(self, process: LocalServer) -> None:
        """SIGCONT a paused process."""
        process._signal(signal.SIGCONT)  # noqa: SLF001
        self.paused.discard(process.pid)

    def close(self) -> None:
        """Close clients; continue paused processes; kill every process; remove every folder."""
        for c in self.clients:
            c.close()
        self.clients.clear()
        for process in self.processes:
            if process.pid in self.paused:
                process._signal(signal.SIGCONT)  # noqa: SLF001
            process.kill()
            process.stop()
        self.paused.clear()
        self.processes.clear()


def wait_until(ready: Callable[[], bool], what: str, timeout_s: float = SYNC_TIMEOUT_S) -> float:
    """Poll ``ready`` every 5 ms; the seconds it took.

    Raises:
        BackendUnavailableError: Not ready after ``timeout_s``.
    """
    began = time.monotonic()
    while True:
        try:
            if ready():
                return time.monotonic() - began
        except OSError:
            pass
        except Exception as exc:  # a redis-py error while the process starts or fails over
            if not _transient(exc):
                raise
        if time.monotonic() - began > timeout_s:
            raise BackendUnavailableError(f"private servers: {what} not reached in {timeout_s:.0f} s")
        time.sleep(0.005)


@dataclass(frozen=True, slots=True)
class Outage:
    """What a client retrying one write every 10 ms saw from a kill until the write succeeded."""

    seconds: float
    errors: dict[str, int]
    """Exception class name -> attempts that ended with it."""
    first_error: str

    @property
    def attempts(self) -> int:
        """Failed attempts."""
        return sum(self.errors.values())

    def described(self) -> str:
        """``ConnectionError x57, MasterNotFoundError x98`` (or ``no error``)."""
        return ", ".join(f"{n} x{c}" for n, c in sorted(self.errors.items())) or "no error"


def write_until_it_works(
    write: Callable[[], Any], since: float, give_up_s: float, stuck: Callable[[], str]
) -> Outage:
    """Call ``write`` every 10 ms until it returns a true value; the outage counted from ``since``.

    Raises:
        BackendUnavailableError: Still failing ``give_up_s`` after ``since`` (``stuck()`` says why).
    """
    import redis

    errors: Counter[str] = Counter()
    first = ""
    while True:
        try:
            if write():
                return Outage(time.monotonic() - since, dict(errors), first)
        except redis.RedisError as exc:  # ConnectionError, TimeoutError, MasterNotFoundError, ...
            errors[type(exc).__name__] += 1
            first = first or f"{type(exc).__name__}: {exc}"
        if time.monotonic() - since > give_up_s:
            raise BackendUnavailableError(f"no write succeeded {give_up_s:.0f} s after the kill ({stuck()})")
        time.sleep(RETRY_S)


def _transient(exc: Exception) -> bool:
    import redis

    return isinstance(exc, (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError))


#: A sentinel that voted, or whose election failed (split votes, likelier on a loaded machine), waits
#: twice this before it tries again (Redis's sentinelStartFailoverIfNeeded). With the default 180 s,
#: or the 10 s used before, two failed elections outlast the drill's wait for a write (45 s); 4 s
#: still leaves the promoted replica time to report itself primary.
FAILOVER_TIMEOUT_MS = 4000


def _start_sentinel(primary_port: int, name: str, quorum: int, down_after_ms: int) -> LocalServer:
    """Write a sentinel.conf (Sentinel rewrites it as it learns) and start ``<server> conf --sentinel``."""
    from redisprep.localserver import _parent_death_signal  # noqa: PLC2701 (same kill-with-parent rule)

    port = free_port()
    workdir = Path(tempfile.mkdtemp(prefix=f"redisprep-sentinel-{port}-"))
    conf = workdir / "sentinel.conf"
    conf.write_text(
        f"port {port}\nbind 127.0.0.1\ndir {workdir}\nlogfile {workdir / 'sentinel.log'}\n"
        f"pidfile {workdir / 'sentinel.pid'}\n"
        f"sentinel monitor {name} 127.0.0.1 {primary_port} {quorum}\n"
        f"sentinel down-after-milliseconds {name} {down_after_ms}\n"
        f"sentinel failover-timeout {name} {FAILOVER_TIMEOUT_MS}\n"
        f"sentinel parallel-syncs {name} 1\n",
        encoding="utf-8",
    )
    proc = subprocess.Popen(
        [binary(), str(conf), "--sentinel"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        preexec_fn=_parent_death_signal(),  # noqa: PLW1509
    )
    sentinel = LocalServer(port, proc.pid, workdir, proc)
    try:
        c = client(port, 0.5)
        try:
            wait_until(lambda: bool(c.ping()), f"sentinel on port {port} answering", SENTINEL_PING_TIMEOUT_S)
        finally:
            c.close()
    except BaseException:
        sentinel.kill()
        sentinel.stop()
        raise
    return sentinel
