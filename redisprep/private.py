"""A Redis only this process may use: a redis-server it starts, or the embedded fakeredis.

The grader and ``explain --execute`` run code that must not reach anyone's data on such a server.
Its password is random and lives only in this process (passed to redis-server on its standard
input, never its command line); the server dies with the thread that started it, so a killed
redisprep leaves no server behind. Without a redis-server installed, the embedded fakeredis in this
process stands in, and :attr:`Private.label` says so.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from urllib.parse import quote

from redisprep.backends import Backend, connect
from redisprep.localserver import LocalServer, ServerBinaryMissingError, start_server


@dataclass
class Private:
    """The server and a full-rights backend on it."""

    admin: Backend
    server: LocalServer | None
    """None for the embedded fakeredis."""

    @property
    def label(self) -> str:
        """``redis-server 7.0.15``, ``valkey-server 8.1.1`` or the embedded server's description."""
        if self.server is None:
            return self.admin.label
        release = self.admin.release
        return f"{release.family}-server " + ".".join(str(v) for v in release.version)

    def url_for(self, username: str, password: str) -> str:
        """A URL logging in to the server as ``username`` (a redis-server only)."""
        assert self.server is not None
        return f"redis://{quote(username, safe='')}:{quote(password, safe='')}@127.0.0.1:{self.server.port}"

    def close(self) -> None:
        """Close every client and stop the server (SIGKILL first: a script may be stuck in it)."""
        self.admin.close()
        if self.server is not None:
            self.server.kill()
            self.server.stop()


def open_private() -> Private:
    """Start a private redis-server, or fall back to the embedded fakeredis when none is installed.

    Raises:
        BackendUnavailableError: redis-server is installed but did not start.
    """
    password = secrets.token_hex(24)
    try:
        server = start_server(password=password, die_with_parent=True)
    except ServerBinaryMissingError:
        return Private(connect(None), None)
    try:
        admin = connect(f"redis://:{password}@127.0.0.1:{server.port}", disposable=True)
    except BaseException:
        server.kill()
        server.stop()
        raise
    return Private(admin, server)
