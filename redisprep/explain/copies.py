"""``explain --execute`` on a server redisprep did not start: run the command on a disposable copy.

A disposable redis-server is started by a :class:`~redisprep.run.Run` of its own (the embedded
fakeredis when none is installed; the CLI passes the opener, since ``run`` imports explain's
tracer), which stops it on every exit, Ctrl-C and a second Ctrl-C included. The keys the
command names are copied into it from the user's server with reads only (``DUMP`` and ``PTTL``,
then ``RESTORE``; a type-by-type copy where ``RESTORE`` refuses the payload, as between versions),
and the command runs there as a user that may touch exactly those keys. Redis itself then refuses
a script or command that reaches any other key, however it is written, and explain says the keys
could not be known. Afterwards every database of the copy is compared with what was copied.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

from redisprep.backends import Backend, connect_like
from redisprep.errors import BadUsageError
from redisprep.localserver import LocalServer
from redisprep.private import Private

#: A key larger than this (MEMORY USAGE) is not copied.
MAX_COPY_BYTES = 64 << 20
#: How long the command may run on the copy (a blocking pop, an endless script).
RUN_TIMEOUT_S = 5.0
_GLOB = re.compile(r"([*?\[\]\\])")


class PrivateRun(Protocol):
    """What :func:`disposable` needs of the run that owns the copy: its private server."""

    @property
    def private(self) -> Private | None: ...


#: Opens the run that starts and owns the copy's server (``Run(Target(private=True), ...)``).
CopyOpener = Callable[[], AbstractContextManager[PrivateRun]]


@dataclass
class Disposable:
    """The copy: its private server, and the backend the command runs on (limited to its keys)."""

    private: Private
    runner: Backend
    where: str
    copied: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def admin(self) -> Backend:
        """Full rights on the copy (to copy into it and list its keys)."""
        return self.private.admin

    @property
    def server(self) -> LocalServer | None:
        """The redis-server, or None for the embedded fakeredis."""
        return self.private.server


@contextmanager
def disposable(keys: Sequence[str], open_copy: CopyOpener) -> Iterator[Disposable]:
    """A private server (owned by the run ``open_copy`` opens) and a user on it limited to ``keys``.

    Raises:
        BackendUnavailableError: redis-server did not start.
    """
    with open_copy() as run:
        private = run.private
        assert private is not None, "open_copy must open a run on a private server"
        if private.server is None:
            yield Disposable(
                private, private.admin, f"a disposable {private.label} (no redis-server installed)"
            )
            return
        user, password = f"explain-{secrets.token_hex(4)}", secrets.token_hex(16)
        patterns = [f"~{_glob_escape(k)}" for k in dict.fromkeys(keys)]
        rules = ["on", f">{password}", "+@all", "allchannels", *patterns]
        private.admin.client().execute_command("ACL", "SETUSER", user, *rules)
        runner = connect_like(private.url_for(user, password), private.admin)
        try:
            yield Disposable(private, runner, f"a disposable {private.label} started for this explain")
        finally:
            runner.close()


def _glob_escape(key: str) -> str:
    """``key`` as an ACL key pattern that matches exactly it."""
    return _GLOB.sub(lambda m: "\\" + m.group(1), key)


def copy_keys(source: Any, target: Disposable, keys: Sequence[str]) -> None:
    """Copy each of ``keys`` that exists from ``source`` (a read-only client, bytes replies) into ``target``.

    Raises:
        BadUsageError: A key is too large to copy.
    """
    import redis

    dest = target.admin.client(decode_responses=False)
    for key in dict.fromkeys(keys):
        size = source.execute_command("MEMORY USAGE", key) if target.server is not None else None
        if isinstance(size, int) and size > MAX_COPY_BYTES:
            raise BadUsageError(f"key {key!r} uses {size >> 20} MiB: too large to copy for --execute")
        payload = source.dump(key)
        if payload is None:
            continue  # absent: the copy starts without it too
        ttl = int(source.pttl(key))
        restored = False
        if target.server is not None:
            try:
                dest.restore(key, max(ttl, 0), payload, replace=True)
                restored = True
            except redis.ResponseError as exc:
                target.notes.append(f"{key}: RESTORE refused the payload ({exc}); copied type by type")
        if not restored:
            _copy_by_type(source, dest, key, ttl, target.notes)
        target.copied.append(key)


def _copy_by_type(source: Any, dest: Any, key: str, ttl: int, notes: list[str]) -> None:
    kind = source.type(key)
    kind = kind.decode() if isinstance(kind, bytes) else str(kind)
    dest.delete(key)
    if kind == "string":
        dest.set(key, source.get(key))
    elif kind == "list":
        values = source.lrange(key, 0, -1)
        if values:
            dest.rpush(key, *values)
    elif kind == "set":
        members = list(source.sscan_iter(key, count=1000))
        if members:
            dest.sadd(key, *members)
    elif kind == "zset":
        pairs = source.zrange(key, 0, -1, withscores=True)
        if pairs:
            dest.zadd(key, dict(pairs))
    elif kind == "hash":
        fields = dict(source.hscan_iter(key, count=1000))
        if fields:
            dest.hset(key, mapping=fields)
    elif kind == "stream":
        for entry_id, entry in source.xrange(key, "-", "+"):
            dest.xadd(key, entry, id=entry_id)
        notes.append(f"{key}: a stream copied entry by entry (its consumer groups were not copied)")
    else:
        raise BadUsageError(f"key {key!r} is a {kind}, which explain cannot copy without RESTORE")
    if ttl > 0:
        dest.pexpire(key, ttl)


def keyspace(admin: Backend) -> dict[tuple[int, str], str]:
    """Every key of every database of the copy, with its type: ``{(db, key): type}``."""
    out: dict[tuple[int, str], str] = {}
    client = admin.client()
    dbs = [0]
    if admin.kind != "embedded":
        info = client.info("keyspace")
        dbs = sorted({0} | {int(name[2:]) for name in info if name.startswith("db")})
    for db in dbs:
        reader = client if db == 0 else admin.client(db=db)
        for key in reader.scan_iter(count=1000):
            out[(db, str(key))] = str(reader.type(key))
    return out


def differences(before: dict[tuple[int, str], str], after: dict[tuple[int, str], str]) -> list[str]:
    """What the command changed in the copy's keyspace: keys created, deleted or retyped."""
    lines = []
    for db, key in sorted(after.keys() - before.keys()):
        lines.append(f"created {key!r} ({after[(db, key)]})" + (f" in database {db}" if db else ""))
    for db, key in sorted(before.keys() - after.keys()):
        lines.append(f"deleted {key!r}" + (f" in database {db}" if db else ""))
    for db, key in sorted(before.keys() & after.keys()):
        if before[(db, key)] != after[(db, key)]:
            lines.append(f"{key!r} changed type: {before[(db, key)]} -> {after[(db, key)]}")
    return lines
