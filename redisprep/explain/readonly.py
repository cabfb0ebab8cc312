"""Explain's view of a server redisprep did not start: it can send only reads that explain builds.

Every client explain opens on such a server is wrapped here: a command outside :data:`READS` is
refused before it is sent, whoever asks (the inspector, the cost model, the copier). The user's own
command is never among what explain sends there (it runs on a disposable copy, see
:mod:`redisprep.explain.copies`), and the list holds no command that writes (``PFCOUNT``, readonly by
its flags, rewrites a HyperLogLog's cached count, so it is not here).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from redisprep.backends import Backend
from redisprep.errors import RedisprepError

#: Each a read with fixed arguments that explain constructs itself.
READS = frozenset(
    {
        "TYPE", "EXISTS", "PTTL", "TTL", "DUMP", "MEMORY USAGE", "OBJECT ENCODING", "OBJECT FREQ",
        "STRLEN", "LLEN", "SCARD", "ZCARD", "HLEN", "XLEN", "DBSIZE",
        "SMISMEMBER", "HMGET", "ZMSCORE",
        "GET", "GETRANGE", "LRANGE", "SMEMBERS", "SSCAN", "ZRANGE", "HGETALL", "HSCAN", "XRANGE",
        "COMMAND INFO", "COMMAND DOCS", "COMMAND COUNT", "INFO", "CONFIG GET", "PING", "TIME",
    }
)  # fmt: skip


class ReadRefusedError(RedisprepError):
    """Explain was about to send something other than its own reads to a server it did not start."""


def _name(args: tuple[Any, ...]) -> str:
    words = [a.decode() if isinstance(a, bytes) else str(a) for a in args[:2]]
    first = words[0].upper().split()
    if len(first) > 1:
        return " ".join(first[:2])
    if len(words) > 1 and f"{first[0]} {words[1].upper()}" in READS:
        return f"{first[0]} {words[1].upper()}"
    return first[0]


class ReadLog:
    """What explain sent to the user's server, by command name (to say so in the output)."""

    def __init__(self) -> None:
        self.sent: Counter[str] = Counter()

    def check(self, args: tuple[Any, ...]) -> None:
        """Refuse anything but :data:`READS`; count what passes."""
        name = _name(args) if args else ""
        if name not in READS:
            raise ReadRefusedError(
                f"explain refused to send {name or 'an empty command'} to a server it did not start "
                "(it sends only its own reads there)"
            )
        self.sent[name] += 1

    def wrap(self, client: Any) -> Any:
        """``client``, and its pipelines, refusing everything but reads; returns it."""
        log = self
        send = client.execute_command
        make_pipeline = client.pipeline

        def execute_command(*args: Any, **options: Any) -> Any:
            log.check(args)
            return send(*args, **options)

        def pipeline(*p_args: Any, **p_kwargs: Any) -> Any:
            pipe = make_pipeline(*p_args, **p_kwargs)
            queue = pipe.execute_command

            def queued(*args: Any, **options: Any) -> Any:
                log.check(args)
                return queue(*args, **options)

            pipe.execute_command = queued
            return pipe

        client.execute_command = execute_command
        client.pipeline = pipeline
        return client

    def summary(self) -> str:
        """``DUMP x2, PTTL x2, TYPE x3`` (sorted by name)."""
        return ", ".join(f"{n} x{c}" if c > 1 else n for n, c in sorted(self.sent.items())) or "nothing"


def read_only(backend: Any, log: ReadLog) -> Any:
    """A backend on the same server whose every client sends only reads (logged in ``log``)."""

    def factory(**options: Any) -> Any:
        return log.wrap(backend.client(**options))

    return Backend(
        kind=backend.kind,
        label=backend.label,
        version=backend.version,
        disposable=False,
        _factory=factory,
        _release=backend.release,  # Valkey stays Valkey (its INFO says redis_version 7.2.4)
    )
