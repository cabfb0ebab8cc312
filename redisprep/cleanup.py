"""Mark a run's presence on a server, remove its keys when it ends, and clean what killed runs left.

A run on a live server first writes its marker (:attr:`Namespace.marker`, a small JSON value) and
deletes it last. ``redisprep clean`` removes the keys of a run only when it finds that marker, not
because a key's name looks like a run's: a foreign key named ``redisprep:r…:x`` stays.
"""

from __future__ import annotations

import json
import os
import re
import socket
import time
from dataclasses import dataclass, field
from typing import Any

from redisprep import __version__
from redisprep.backends import (
    KEY_ROOT,
    MARKER_SUFFIX,
    Backend,
    Namespace,
    delete_namespace,
    scan_raw,
    translate_errors,
)
from redisprep.errors import BackendUnavailableError, RedisprepError

_RUN_ID = re.compile(r"r[0-9a-f]+-[0-9a-f]{6}")

#: Seconds the last cleanup attempt may wait after the server already failed to answer once.
QUICK_TIMEOUT_S = 0.5


def remove_run_keys(backend: Backend, ns: Namespace) -> int:
    """Delete every key of ``ns``; returns how many were removed.

    Raises:
        BackendUnavailableError: The server cannot be reached.
    """
    with translate_errors(backend.label):
        client = backend.client(decode_responses=False)
        try:
            return delete_namespace(client, ns)
        finally:
            client.close()


def mark_run(client: Any, ns: Namespace, what: str) -> None:
    """Write ``ns``'s marker before the run writes anything else (``what``: ``drill leaderboard``)."""

    record = {
        "redisprep": __version__,
        "run": ns.run_id,
        "started": ns.started_at,
        "what": what,
        "host": socket.gethostname(),
        "pid": os.getpid(),
    }
    client.set(ns.marker, json.dumps(record, sort_keys=True))


def proven_run(key: bytes, value: bytes | None) -> tuple[Namespace, str] | None:
    """The run a marker key proves and what it was, or None when the key or value is not a marker."""
    try:
        name = key.decode("ascii")
        record = json.loads(value or b"")
    except (UnicodeDecodeError, ValueError):
        return None
    run_id = name[len(KEY_ROOT) : -len(MARKER_SUFFIX)]
    if not (name.startswith(KEY_ROOT) and name.endswith(MARKER_SUFFIX) and _RUN_ID.fullmatch(run_id)):
        return None
    ns = Namespace(run_id)
    if not isinstance(record, dict) or record.get("run") != run_id or record.get("started") != ns.started_at:
        return None
    return ns, str(record.get("what", ""))


@dataclass
class CleanReport:
    """What ``redisprep clean`` found and removed."""

    removed: dict[str, int] = field(default_factory=dict)
    """Keys removed, by run id (each run's marker removed too, not counted)."""
    left: dict[str, int] = field(default_factory=dict)
    """Keys of a cleaned run still there afterwards (written while cleaning), by run id."""
    recent: int = 0
    """Runs with a marker that started too recently to be called interrupted (left alone)."""
    users: int = 0
    """ACL users of interrupted gradings deleted (``redisprep-<run id>``)."""

    @property
    def keys(self) -> int:
        return sum(self.removed.values())


def remove_stale_runs(backend: Backend, older_than_s: float, now: float | None = None) -> CleanReport:
    """``redisprep clean``: delete the keys of marked runs that started before ``older_than_s`` ago.

    Raises:
        BackendUnavailableError: The server cannot be reached, or went away while scanning.
    """
    cutoff = (time.time() if now is None else now) - older_than_s
    report = CleanReport()
    with translate_errors(backend.label):
        client = backend.client(decode_responses=False)
        for key in list(scan_raw(client, KEY_ROOT.encode() + b"r*" + MARKER_SUFFIX.encode())):
            proven = proven_run(key, client.get(key))
            if proven is None:
                continue
            ns, what = proven
            if ns.started_at > cutoff:
                report.recent += 1
                continue
            if what.startswith("practice"):
                report.users += _delete_run_user(client, ns)
            report.removed[ns.run_id] = delete_namespace(client, ns)
            left = sum(1 for _ in scan_raw(client, ns.prefix.encode() + b"*"))
            if left:
                report.left[ns.run_id] = left
    return report


def _delete_run_user(client: Any, ns: Namespace) -> int:
    """Delete the ACL user a killed grading left (0 when there is none, or ACL is not ours to run)."""
    import redis
    from redis.cluster import RedisCluster

    target = {"target_nodes": RedisCluster.ALL_NODES} if isinstance(client, RedisCluster) else {}
    try:
        reply = client.execute_command("ACL", "DELUSER", f"redisprep-{ns.run_id}", **target)
    except redis.ResponseError:
        return 0
    if isinstance(reply, dict):
        reply = max(reply.values(), default=0)
    return min(int(reply), 1)


def after_backend_failure(
    backend: Backend, ns: Namespace, error: BackendUnavailableError, *, gone: bool = False
) -> RedisprepError:
    """Try once, quickly, to delete ``ns``'s keys after ``error``; return the error to raise.

    A server that was killed refuses at once, but one that stopped answering (paused, overloaded,
    a network partition) would make a normal attempt wait the whole socket timeout again. When the
    keys cannot be removed the message says so and names the command that removes them later.

    Args:
        backend: The backend the run used.
        ns: The run's namespace.
        error: What the run failed with.
        gone: The server was just found not to answer (no attempt is made).
    """
    if backend.kind == "embedded":
        return error
    if gone:
        return _left_behind(error, ns)
    try:
        with translate_errors(backend.label):
            client = backend.client(socket_timeout=QUICK_TIMEOUT_S, socket_connect_timeout=QUICK_TIMEOUT_S)
            try:
                delete_namespace(client, ns)
            finally:
                client.close()
    except RedisprepError:
        return _left_behind(error, ns)
    return error


def _left_behind(error: BackendUnavailableError, ns: Namespace) -> BackendUnavailableError:
    return BackendUnavailableError(f"{error}; {may_be_left(ns)}")


def may_be_left(ns: Namespace) -> str:
    """What to tell the user when ``ns``'s keys could not be removed."""
    return f"keys of run {ns.run_id} may be left on the server: 'redisprep clean' removes them"
