"""How long a restart takes to load N keys from an RDB snapshot and from an AOF log.

Each measurement fills a private server with ``SET`` commands sent as raw RESP on one socket
(redis-py would spend more time than the server), writes its file (``SAVE`` for RDB; the AOF is
written as the commands arrive), kills it and starts it again on the same folder. The load time
is the server's own (its log line ``DB loaded from ...: N seconds``); the wall time runs from
spawning the process to its first ``PONG`` (a server still loading answers ``-LOADING``).
"""

from __future__ import annotations

import re
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from redisprep.backends import translate_errors
from redisprep.drills.persistence.owned import Owned, owned
from redisprep.errors import BackendUnavailableError

VALUE_BYTES = 32
SNAPSHOT_TIMEOUT_S = 120.0
CHUNK = 10_000
"""Commands sent before their replies are read back."""
#: Restart options: ``notice`` logs the load time; no automatic rewrite turns the AOF into an RDB
#: preamble while it grows, so the restart replays every command.
FORMATS: dict[str, tuple[str, ...]] = {
    "RDB": ("--loglevel", "notice"),
    "AOF": (
        "--loglevel",
        "notice",
        "--appendonly",
        "yes",
        "--appendfsync",
        "no",
        "--auto-aof-rewrite-percentage",
        "0",
    ),
}
_LOADED = re.compile(r"DB loaded from (?:disk|append only file): ([0-9.]+) seconds")


@dataclass(frozen=True, slots=True)
class RestartTime:
    """One restart of a server holding ``keys`` keys in one file format."""

    format: str
    """``RDB`` or ``AOF``."""
    keys: int
    file_bytes: int
    """Size of the files the restart read."""
    load_s: float | None
    """The server's own load time (None when its log does not say)."""
    wall_s: float
    """From spawning the process to its first ``PONG``."""
    keys_after: int
    """``DBSIZE`` after the restart."""


def restart_time(fmt: str, keys: int) -> RestartTime:
    """Fill a private server with ``keys`` keys, kill it, restart it, time the load.

    Raises:
        BackendUnsupportedError: redis-server is not installed.
        BackendUnavailableError: It did not start, or stopped answering.
    """
    with owned(*FORMATS[fmt]) as server:
        r = server.start()
        with translate_errors(server.label):
            _fill(server, keys)
            if fmt == "RDB":
                _snapshot(r)
        server.kill()
        assert server.workdir is not None
        size = _file_bytes(server.workdir)
        log = server.workdir / "redis.log"
        logged = len(log.read_text(errors="replace")) if log.is_file() else 0
        r = server.start()
        with translate_errors(server.label):
            after = int(r.dbsize())
        return RestartTime(fmt, keys, size, _load_seconds(log, logged), server.started_s, after)


def _snapshot(r: Any) -> None:
    """BGSAVE and wait for it (SAVE would outlast the client's socket timeout on a big dataset)."""
    r.bgsave()
    deadline = time.monotonic() + SNAPSHOT_TIMEOUT_S
    while int(r.info("persistence")["rdb_bgsave_in_progress"]):
        if time.monotonic() > deadline:
            raise BackendUnavailableError(f"the snapshot took more than {SNAPSHOT_TIMEOUT_S:.0f} s")
        time.sleep(0.01)
    status = r.info("persistence")["rdb_last_bgsave_status"]
    if status != "ok":
        raise BackendUnavailableError(f"the snapshot failed (rdb_last_bgsave_status: {status})")


def _fill(server: Owned, keys: int) -> None:
    """``SET k:<i> <value>`` for every i, pipelined as raw RESP; waits for every ``+OK``."""
    assert server.server is not None
    value = b"v" * VALUE_BYTES
    with socket.create_connection(("127.0.0.1", server.server.port), timeout=30) as s:
        for start in range(0, keys, CHUNK):
            end = min(keys, start + CHUNK)
            s.sendall(b"".join(_set(f"k:{i}".encode(), value) for i in range(start, end)))
            _read_oks(s, end - start)


def _set(key: bytes, value: bytes) -> bytes:
    return b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(key), key, len(value), value)


def _read_oks(s: socket.socket, count: int) -> None:
    want = count * len(b"+OK\r\n")
    got = 0
    while got < want:
        data = s.recv(1 << 16)
        if not data:
            raise ConnectionError("the server closed the connection while loading keys")
        if data.startswith(b"-") or b"\r\n-" in data:
            raise ConnectionError(f"the server refused a SET: {data[:80]!r}")
        got += len(data)


def _file_bytes(workdir: Path) -> int:
    """Bytes in the RDB and AOF files of a server's folder (7.0+ keeps the AOF in a folder of parts)."""
    files = [p for p in workdir.rglob("*") if p.is_file() and _persisted(p.name)]
    return sum(p.stat().st_size for p in files)


def _persisted(name: str) -> bool:
    """``dump.rdb``, ``appendonly.aof`` (6.2), ``appendonly.aof.1.incr.aof`` and the manifest (7.0+)."""
    return name.endswith((".rdb", ".aof", ".manifest"))


def _load_seconds(log: Path, skip: int) -> float | None:
    """The last ``DB loaded from ...`` time in the log written after ``skip`` characters."""
    try:
        text = log.read_text(errors="replace")[skip:]
    except OSError:
        return None
    found = _LOADED.findall(text)
    return float(found[-1]) if found else None
