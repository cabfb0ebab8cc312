"""A loopback TCP server that answers the way Redis 5.0 does, for testing the version check.

No Redis older than 6.0 is installable here, and disabling HELLO on a newer one does not make it
old: it still reports its own version in ``INFO server``, which is what redisprep reads. This speaks
just enough RESP for a client to connect and ask: PING, INFO, SELECT and AUTH; every other command
gets Redis 5's "unknown command" error (HELLO included, which Redis 6.0 added).
"""

from __future__ import annotations

import socket
import socketserver
import threading
from dataclasses import dataclass

VERSION = "5.0.14"


def _read_command(stream: socket.SocketIO | object) -> list[bytes] | None:
    rfile = stream
    line = rfile.readline()  # type: ignore[attr-defined]
    if not line:
        return None
    if not line.startswith(b"*"):
        return line.strip().split()  # inline command
    args = []
    for _ in range(int(line[1:])):
        size = int(rfile.readline()[1:])  # type: ignore[attr-defined]
        args.append(rfile.read(size + 2)[:-2])  # type: ignore[attr-defined]
    return args


def _bulk(text: str) -> bytes:
    data = text.encode()
    return b"$%d\r\n%s\r\n" % (len(data), data)


class _Handler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        while True:
            try:
                args = _read_command(self.rfile)
            except (OSError, ValueError):
                return
            if not args:
                return
            name = args[0].decode(errors="replace").upper()
            if name == "PING":
                reply = b"+PONG\r\n"
            elif name == "INFO":
                reply = _bulk(f"# Server\r\nredis_version:{VERSION}\r\nredis_mode:standalone\r\n")
            elif name in ("SELECT", "AUTH"):
                reply = b"+OK\r\n"
            else:
                unknown = args[0].decode(errors="replace")
                reply = f"-ERR unknown command `{unknown}`, with args beginning with: \r\n".encode()
            self.wfile.write(reply)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


@dataclass
class OldServer:
    """The running imitation: its URL, and :meth:`stop`."""

    server: _Server
    thread: threading.Thread

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


def start_old_server() -> OldServer:
    """Start the imitation of a Redis 5.0 server on a free loopback port."""
    server = _Server(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return OldServer(server, thread)
