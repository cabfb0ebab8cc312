"""A private redis-server that can be killed with SIGKILL and started again on the same folder.

The persistence drill needs ``kill -9``, ``CONFIG SET`` and a restart, so it never uses the user's
server: each :class:`Owned` is a redis-server on loopback that this process started
(:func:`redisprep.localserver.start_server`). Leaving the ``with`` block, by any way including
Ctrl-C, kills the process by its PID and removes its folder.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from redisprep.backends import Backend, connect, translate_errors
from redisprep.localserver import LocalServer, start_server

LOAD_TIMEOUT_S = 60.0
"""How long a restart may spend loading its files before it answers ``PONG``."""


class Owned:
    """One private redis-server process at a time, all of them on one folder with the same options."""

    def __init__(self, args: tuple[str, ...]) -> None:
        self.args = args
        self.server: LocalServer | None = None
        self.workdir: Path | None = None
        self._backend: Backend | None = None
        self.started_s = 0.0
        """Wall time of the last start, from spawning the process to its first ``PONG``."""
        self.release = ""
        """What the server reports itself as (``redis-7.0.15``, ``valkey-8.1.8``)."""

    @property
    def label(self) -> str:
        port = self.server.port if self.server is not None else 0
        return f"the drill's private redis-server on 127.0.0.1:{port}"

    def start(self) -> Any:
        """Start the server (again, on the same folder after :meth:`kill`) and return a client.

        ``start_server`` waits for ``+PONG``: a server still loading its files answers ``-LOADING``.
        """
        began = time.perf_counter()
        self.server = start_server(
            *self.args, workdir=self.workdir, die_with_parent=True, start_timeout_s=LOAD_TIMEOUT_S
        )
        self.started_s = time.perf_counter() - began
        self.workdir = self.server.workdir
        with translate_errors(self.label):
            self._backend = connect(self.server.url, disposable=True)
            self.release = str(self._backend.release)
            return self._backend.client()

    def kill(self) -> None:
        """SIGKILL by PID, the way ``kill -9`` ends it: no shutdown, no final save."""
        self._close()
        if self.server is not None:
            self.server.kill()

    def _close(self) -> None:
        if self._backend is not None:
            self._backend.close()
            self._backend = None

    def close(self) -> None:
        """Kill the process and remove its folder."""
        self.kill()
        if self.server is not None:
            self.server.stop()  # already dead: this removes the folder
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)


@contextmanager
def owned(*args: str) -> Iterator[Owned]:
    """An :class:`Owned` server started with ``args``, killed and removed on leaving the block.

    Raises:
        BackendUnsupportedError: redis-server is not installed.
        BackendUnavailableError: It did not start.
    """
    server = Owned(args)
    try:
        yield server
    finally:
        server.close()
