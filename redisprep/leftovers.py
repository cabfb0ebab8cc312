"""Remove the folders of redisprep's own throw-away servers whose redisprep died without stopping them.

A redisprep killed with SIGKILL cannot clean up: the kernel stops its server (it dies with its
parent), but the server's folder stays in the temporary directory. The next start of a throw-away
server removes such folders. Only a folder that is certainly abandoned goes: named as
:func:`~redisprep.localserver.start_server` names them, a real directory of this user's, whose
owner (the process that started its server, in :data:`OWNER`) is gone, whose server (``redis.pid``)
is gone too, and holding nothing but what redis-server and that owner write there. A server killed
on purpose while its redisprep lives (the persistence drill restarts it on the same folder) keeps
its folder.
"""

from __future__ import annotations

import fnmatch
import os
import re
import shutil
import stat
import tempfile
from pathlib import Path

#: ``redisprep-<port>-<mkdtemp's 8 characters>``.
_NAME = re.compile(r"redisprep-[0-9]{1,5}-[a-z0-9_]{8}")
#: The file in a server's folder naming the process that started the server (its PID).
OWNER = "redisprep.owner"
#: What redis-server writes in its ``--dir`` (with our ``--pidfile`` and ``--logfile`` there).
_ARTEFACTS = (OWNER, "redis.pid", "redis.log", "nodes.conf", "*.rdb", "*.aof", "appendonlydir", "temp-*")


def claim(folder: Path) -> None:
    """Write this process as the owner of the server folder ``folder`` (before its server starts)."""
    (folder / OWNER).write_text(f"{os.getpid()}\n")


def sweep(directory: Path | None = None) -> list[Path]:
    """Remove the dead servers' folders in ``directory`` (the temporary directory); returns them."""
    where = directory or Path(tempfile.gettempdir())
    removed = []
    try:
        candidates = [p for p in where.iterdir() if _NAME.fullmatch(p.name)]
    except OSError:
        return []
    for folder in candidates:
        if _dead_servers(folder):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _dead_servers(folder: Path) -> bool:
    try:
        info = folder.lstat()
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
            return False
        names = os.listdir(folder)
        owner = int((folder / OWNER).read_text().strip())
        server = int(pid_text) if (pid_text := _text(folder / "redis.pid")) else None
    except (OSError, ValueError):
        return False  # gone meanwhile, unreadable, or not claimed (an older redisprep's)
    if not all(any(fnmatch.fnmatchcase(n, pattern) for pattern in _ARTEFACTS) for n in names):
        return False
    return owner > 0 and not _alive(owner) and (server is None or (server > 0 and not _alive(server)))


def _text(path: Path) -> str:
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        return ""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's process: not ours to judge
    return True
