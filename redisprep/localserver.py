"""Start and stop redis-server processes that redisprep owns (tests, cluster up, eviction demos).

A server started here is *disposable*: it listens on loopback only, persists nothing, and may be
flushed or reconfigured. It is stopped by its own PID, never by SHUTDOWN on a server we did not start.
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from redisprep.errors import BackendUnavailableError, BackendUnsupportedError

START_TIMEOUT_S = 5.0


def find_binary(name: str = "redis-server") -> str:
    """Path of ``redis-server`` (or ``redis-cli``).

    Raises:
        BackendUnsupportedError: It is not installed.
    """
    path = shutil.which(name)
    if path is None:
        raise BackendUnsupportedError(
            f"{name} is not installed (Debian/Ubuntu: apt-get install redis-server; macOS: brew "
            "install redis)"
        )
    return path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LocalServer:
    """A redis-server process started by :func:`start_server`."""

    port: int
    pid: int
    workdir: Path
    process: subprocess.Popen[bytes] = field(repr=False)

    @property
    def url(self) -> str:
        """``redis://127.0.0.1:<port>``."""
        return f"redis://127.0.0.1:{self.port}"

    def alive(self) -> bool:
        """Whether the process is still running."""
        return self.process.poll() is None

    def stop(self, timeout_s: float = 5.0) -> None:
        """SIGTERM by PID, SIGKILL if it does not exit in time; then remove its folder."""
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout_s)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def kill(self) -> None:
        """SIGKILL at once (simulates a crash)."""
        if self.alive():
            self.process.kill()
            self.process.wait()


def start_server(*extra: str, port: int | None = None, password: str | None = None) -> LocalServer:
    """Start a throw-away redis-server on loopback and wait until it answers PING.

    Args:
        extra: More ``redis-server`` arguments (``"--cluster-enabled", "yes"``).
        port: The port (a free one by default).
        password: Set ``requirepass``.

    Raises:
        BackendUnsupportedError: redis-server is not installed.
        BackendUnavailableError: It did not start answering within a few seconds.
    """
    binary = find_binary()
    port = port or free_port()
    workdir = Path(tempfile.mkdtemp(prefix=f"redisprep-{port}-"))
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
        "no",
        "--loglevel",
        "warning",
        "--logfile",
        str(workdir / "redis.log"),
    ]
    if password:
        args += ["--requirepass", password]
    proc = subprocess.Popen(args + list(extra), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = LocalServer(port, proc.pid, workdir, proc)
    if not _wait_for_ping(port, password):
        server.stop()
        raise BackendUnavailableError(f"redis-server on port {port} did not start")
    return server


def _wait_for_ping(port: int, password: str | None) -> bool:
    """Poll with a raw socket (no redis-py import): send PING until +PONG or -NOAUTH comes back."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
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
