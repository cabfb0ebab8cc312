"""Remove the folders of redisprep's own throw-away servers that died without being stopped.

A redisprep killed with SIGKILL cannot clean up: the kernel stops its server (it dies with its
parent), but the server's folder stays in the temporary directory. The next start of a throw-away
server removes such folders. Only a folder that is certainly a dead server's goes: named as
:func:`~redisprep.localserver.start_server` names them, a real directory of this user's, holding a
``redis.pid`` whose process is gone, and nothing but what redis-server itself writes there.
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
#: What redis-server writes in its ``--dir`` (with our ``--pidfile`` and ``--logfile`` there).
_ARTEFACTS = ("redis.pid", "redis.log", "nodes.conf", "*.rdb", "*.aof", "appendonlydir", "temp-*")


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
        pid = int((folder / "redis.pid").read_text().strip())
    except (OSError, ValueError):
        return False  # gone meanwhile, unreadable, or no pid written yet (a server still starting)
    if not all(any(fnmatch.fnmatchcase(n, pattern) for pattern in _ARTEFACTS) for n in names):
        return False
    return pid > 0 and not _alive(pid)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's process: not ours to judge
    return True
