"""Start and stop redis-server processes that redisprep owns (tests, cluster up, eviction demos).

A server started here is *disposable*: it listens on loopback only, persists nothing, and may be
flushed or reconfigured. It is stopped by its own PID, never by SHUTDOWN on a server we did not start.
"""

from __future__ import annotations

import ctypes
import os
import random
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from redisprep import signals
from redisprep.errors import BackendUnavailableError, BackendUnsupportedError
from redisprep.leftovers import claim, sweep

START_TIMEOUT_S = 5.0
#: A cluster node also listens on its port + 10000 (the cluster bus), which must stay below 65536.
CLUSTER_BUS_OFFSET = 10000


#: Environment variables that choose the server redisprep starts: a binary other than the
#: ``redis-server`` on PATH (a Valkey, another Redis release), and arguments added to every start
#: (``--loadmodule /path/redisbloom.so``). The test suite's server matrix sets them.
SERVER_ENV = "REDISPREP_SERVER"
SERVER_ARGS_ENV = "REDISPREP_SERVER_ARGS"


class ServerBinaryMissingError(BackendUnsupportedError):
    """No ``redis-server`` (or ``redis-cli``) to start: not installed, or ``$REDISPREP_SERVER`` is wrong."""


def find_binary(name: str = "redis-server") -> str:
    """Path of the server binary (``redis-server``) or its command-line client (``redis-cli``).

    ``$REDISPREP_SERVER`` names the server binary; its client is looked for beside it first
    (``redis-cli``, or ``valkey-cli`` next to ``valkey-server``), then on PATH.

    Raises:
        ServerBinaryMissingError: It is not installed, or ``$REDISPREP_SERVER`` names no program.
    """
    chosen = os.environ.get(SERVER_ENV, "").strip()
    if chosen:
        server = Path(chosen).expanduser()
        if not (server.is_file() and os.access(server, os.X_OK)):
            raise ServerBinaryMissingError(f"${SERVER_ENV} names {chosen!r}, which is not an executable file")
        if name == "redis-server":
            return str(server)
        flavour = server.name.split("-", 1)[0]  # "valkey" for valkey-server
        for sibling in (server.with_name(f"{flavour}-cli"), server.with_name(name)):
            if sibling.is_file() and os.access(sibling, os.X_OK):
                return str(sibling)
    path = shutil.which(name)
    if path is None:
        raise ServerBinaryMissingError(
            f"{name} is not installed (Debian/Ubuntu: apt-get install redis-server; macOS: brew "
            f"install redis; or set ${SERVER_ENV} to a redis-server or valkey-server binary)"
        )
    return path


def server_args_from_env() -> list[str]:
    """The extra start-up arguments in ``$REDISPREP_SERVER_ARGS`` (shell-quoted), or none."""
    return shlex.split(os.environ.get(SERVER_ARGS_ENV, ""))


def free_port(*, cluster_bus: bool = False) -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now.

    Args:
        cluster_bus: Also require port + 10000 to be free (a cluster node's bus port), which keeps
            the port below 55536; the kernel's ephemeral range often lies above that.
    """
    if not cluster_bus:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return int(s.getsockname()[1])
    rng = random.Random()
    for _ in range(200):
        port = rng.randrange(20000, 65536 - CLUSTER_BUS_OFFSET)
        if _bindable(port) and _bindable(port + CLUSTER_BUS_OFFSET):
            return port
    raise BackendUnavailableError("no free pair of loopback ports for a cluster node")


def _bindable(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@dataclass
class LocalServer:
    """A redis-server process started by :func:`start_server` (or recorded by an earlier run)."""

    port: int
    pid: int
    workdir: Path
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    """The child process; None when another redisprep process started it (``cluster down``)."""

    @property
    def url(self) -> str:
        """``redis://127.0.0.1:<port>``."""
        return f"redis://127.0.0.1:{self.port}"

    def alive(self) -> bool:
        """Whether the process is still running."""
        if self.process is not None:
            return self.process.poll() is None
        if self.pid <= 0:  # os.kill(0 or -1, ...) would signal whole process groups
            return False
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:  # the PID now belongs to another user's process
            return False
        return not _is_zombie(self.pid)

    def stop(self, timeout_s: float = 5.0, *, remove_workdir: bool = True) -> None:
        """SIGTERM by PID, SIGKILL if it does not exit in time; then remove its folder."""
        if self.alive():
            self._signal(signal.SIGTERM)
            if not self._wait(timeout_s):
                self._signal(signal.SIGKILL)
                self._wait(timeout_s)
        if remove_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def kill(self) -> None:
        """SIGKILL at once (simulates a crash)."""
        if self.alive():
            self._signal(signal.SIGKILL)
            self._wait(5.0)

    def _signal(self, sig: signal.Signals) -> None:
        if self.process is not None:
            self.process.send_signal(sig)
            return
        if self.pid <= 0:
            return
        try:
            os.kill(self.pid, sig)
        except ProcessLookupError:
            pass

    def _wait(self, timeout_s: float) -> bool:
        if self.process is not None:
            try:
                self.process.wait(timeout_s)
            except subprocess.TimeoutExpired:
                return False
            return True
        deadline = time.monotonic() + timeout_s
        while self.alive():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True


def _is_zombie(pid: int) -> bool:
    """True for a process that exited but was not reaped yet (Linux /proc; False elsewhere).

    A detached server's parent is init, which may reap it late; until then ``kill(pid, 0)`` works.
    """
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[:1] == ["Z"]


def start_server(
    *extra: str,
    port: int | None = None,
    password: str | None = None,
    workdir: Path | None = None,
    detach: bool = False,
    die_with_parent: bool = False,
    start_timeout_s: float = START_TIMEOUT_S,
) -> LocalServer:
    """Start a throw-away redis-server on loopback and wait until it answers PING.

    Args:
        extra: More ``redis-server`` arguments (``"--cluster-enabled", "yes"``).
        port: The port (a free one by default).
        password: Set ``requirepass``. It is passed on the server's standard input, never on its
            command line, which every process on the machine can read in ``/proc/<pid>/cmdline``.
        workdir: The server's folder (a new temporary one by default); removed by :meth:`stop`.
            Before making a new one, the folders of dead servers are removed (:mod:`.leftovers`).
        detach: Let redis-server daemonize itself (``--daemonize yes``, its PID read back from its
            pidfile), so it outlives this process and the terminal (``cluster up``); a later
            process stops it by that PID.
        die_with_parent: On Linux, the kernel kills the server when the thread that started it
            ends, so a redisprep killed with SIGKILL leaves no orphan server behind (the eviction
            demo, grading, explain --execute). Start it from a thread that outlives its use.
        start_timeout_s: How long to wait for ``+PONG``; a server loading a big file on start
            answers ``-LOADING`` until it is done.

    Raises:
        BackendUnsupportedError: redis-server is not installed.
        BackendUnavailableError: It did not start answering within a few seconds.
    """
    binary = find_binary()
    port = port or free_port()
    made = workdir is None
    # An interrupt inside Popen would leave a started child whose PID we never got, and one while
    # the folder is made and claimed would leave it behind: both are deferred to the try below.
    # (``subprocess.Popen`` forks, runs at-fork hooks and waits for the child's ``exec``.)
    with signals.held(signals.STOP) as deferred:
        if workdir is None:
            sweep()  # folders of servers whose redisprep was killed before it could stop them
            workdir = Path(tempfile.mkdtemp(prefix=f"redisprep-{port}-"))
        else:
            workdir.mkdir(parents=True, exist_ok=True)
        try:
            claim(workdir)
            proc = subprocess.Popen(
                _server_argv(binary, port, workdir, detach, password, extra),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                stdin=subprocess.PIPE if password else subprocess.DEVNULL,
                preexec_fn=_parent_death_signal() if die_with_parent and not detach else None,  # noqa: PLW1509
            )
        except BaseException:
            if made:
                shutil.rmtree(workdir, ignore_errors=True)
            raise
        server = LocalServer(port, proc.pid, workdir, proc)
    try:
        signals.deliver(deferred)
        if password and proc.stdin is not None:
            try:
                proc.stdin.write(f"requirepass {_config_quote(password)}\n".encode())
                proc.stdin.close()
            except OSError:
                pass
        if detach:
            # The process we started forks the daemon and exits; the daemon writes its PID.
            server = LocalServer(port, _daemon_pid(proc, workdir / "redis.pid"), workdir)
        watched = None if detach else proc
        started = server.pid >= 0 and _wait_for_ping(port, password, start_timeout_s, watched)
    except BaseException:
        # Interrupted while it starts (Ctrl-C; drill all's stop): nobody else holds its PID yet.
        server.kill()
        server.stop()
        raise
    if not started:
        server.stop()
        raise BackendUnavailableError(f"redis-server on port {port} did not start")
    return server


def _server_argv(
    binary: str, port: int, workdir: Path, detach: bool, password: str | None, extra: tuple[str, ...]
) -> list[str]:
    """redis-server's command line: loopback only, nothing persisted, pid and log in ``workdir``."""
    args = [
        binary,
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        str(workdir),
        "--hz",
        "100",
        "--daemonize",
        "yes" if detach else "no",
        "--pidfile",
        str(workdir / "redis.pid"),
        "--loglevel",
        "warning",
        "--logfile",
        str(workdir / "redis.log"),
    ]
    args += server_args_from_env() + list(extra)
    if password:
        args.append("-")  # the rest of the configuration comes from standard input
    return args


def _config_quote(value: str) -> str:
    """A redis.conf argument in double quotes (backslash escapes, as redis.conf reads them)."""
    raw = value.encode("utf-8")
    escaped = "".join(chr(b) if 0x20 <= b <= 0x7E and b not in b'"\\' else f"\\x{b:02x}" for b in raw)
    return f'"{escaped}"'


def _parent_death_signal() -> Any:
    """A ``preexec_fn`` asking the kernel to SIGKILL the child when its parent ends (Linux only).

    The libc function is looked up here, before the fork, so the child only makes the call.
    """
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig = 1

    def arrange() -> None:
        prctl(pr_set_pdeathsig, int(signal.SIGKILL), 0, 0, 0)

    return arrange


def _daemon_pid(proc: subprocess.Popen[bytes], pidfile: Path) -> int:
    """Wait for a daemonizing redis-server's parent to exit, then read the daemon's PID (-1 if none)."""
    try:
        proc.wait(START_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return -1
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        text = pidfile.read_text().strip() if pidfile.is_file() else ""
        if text.isdigit():
            return int(text)
        time.sleep(0.005)
    return -1


def _wait_for_ping(
    port: int,
    password: str | None,
    timeout_s: float = START_TIMEOUT_S,
    proc: subprocess.Popen[bytes] | None = None,
) -> bool:
    """Poll with a raw socket (no redis-py import): send PING until +PONG or -NOAUTH comes back.

    False at once when ``proc`` (the server itself) has exited: a bad option or an unreadable file.
    """
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and (proc is None or proc.poll() is None):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                reply = s.recv(64)
                if reply.startswith(b"+PONG") or (password and reply.startswith(b"-NOAUTH")):
                    return True
        except OSError:
            pass
        time.sleep(0.005)
    return False
