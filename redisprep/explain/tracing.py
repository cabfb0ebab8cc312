"""Record every command a client sends: arguments, reply, duration and the round trip it travelled in.

The tracer wraps ``execute_command`` on a client *instance* (``redis.Redis``, ``fakeredis.FakeRedis`` or
``RedisCluster``), and the ``pipeline()`` factory so that pipelines and MULTI/EXEC transactions are
recorded too: all commands of one ``execute()`` share one round trip. An optional
:class:`TraceObserver` is called just before and just after every round trip (explain mode reads
the state of the keys there).
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

from redisprep.explain.pipelines import pipeline_factory, trace_pipeline
from redisprep.explain.roundtrip import TraceKind, error_text, ms_since
from redisprep.knowledge.commands import container_names


class TracedCommand(NamedTuple):
    """One command as the server saw it (an immutable record: a named tuple, the cheapest to make)."""

    seq: int
    """Order in which the command completed (1-based, across all clients of the tracer)."""
    args: tuple[Any, ...]
    """The command name and arguments as sent."""
    reply: Any
    """The parsed reply (None when the command failed)."""
    error: str | None
    """The error text when the server or the connection failed the command."""
    duration_ms: float
    """Wall time of the round trip; for a pipeline, the whole pipeline's time on every command."""
    round_trip: int
    """Round-trip number; commands sent in one pipeline share it."""
    kind: TraceKind
    """``command`` for a lone command, ``pipeline`` or ``transaction`` when batched."""
    client: int
    """Which traced client sent it (1-based)."""
    step: str | None = None
    """The drill step that was running, if any."""
    operation: str | None = None
    """The logical operation (``"rank update"``) the command belongs to, if labelled."""

    @property
    def name(self) -> str:
        """The command name in upper case (``ZADD``; ``CLIENT TRACKING`` for container commands)."""
        words = _as_text(self.args[0]).upper().split() if self.args else ["?"]
        if len(words) == 1 and words[0] in container_names() and len(self.args) > 1:
            words.append(_as_text(self.args[1]).upper())
        return " ".join(words)

    @property
    def argv(self) -> list[str]:
        """Every argument as text (what redis-cli would show)."""
        head = _as_text(self.args[0]).split() if self.args else []
        return head + [_as_text(a) for a in self.args[1:]]


#: ``tuple.__new__`` with the fields in order: a record without the generated ``__new__``'s
#: keyword handling. 10 records cost about 3 µs this way, against 7.1 µs for the frozen dataclass
#: filled slot by slot that it replaced (timeit, in process); scripts/bench_tracing.py has the whole.
_new = tuple.__new__


class _PerThread(threading.local):
    """The operation label of the running thread (a class default, so reading it never raises)."""

    operation: str | None = None


class TraceObserver(Protocol):
    """Called around every traced round trip, in the thread that sends it."""

    def before(self, batch: Sequence[tuple[Any, ...]]) -> Any:
        """The commands of one round trip are about to be sent; returns a token for :meth:`after`."""

    def after(self, token: Any, commands: Sequence[TracedCommand]) -> None:
        """The round trip came back (or failed); ``commands`` are its records, in order."""


def _as_text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "backslashreplace")
    return str(value)


@dataclass
class Tracer:
    """Collects :class:`TracedCommand` records from any number of clients and threads."""

    commands: list[TracedCommand] = field(default_factory=list)
    operations: Counter[str] = field(default_factory=Counter)
    """How many times each labelled operation was started."""
    step: str | None = None
    """Set by the drill runner; every command records the step that was running."""
    enabled: bool = True
    observer: TraceObserver | None = None
    """Called around every recorded round trip (explain mode); None records only."""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _local: _PerThread = field(default_factory=_PerThread, repr=False)
    _round_trips: Iterator[int] = field(default_factory=lambda: itertools.count(1), repr=False)
    _seq: Iterator[int] = field(default_factory=lambda: itertools.count(1), repr=False)
    _clients: Iterator[int] = field(default_factory=lambda: itertools.count(1), repr=False)

    @contextmanager
    def operation(self, name: str) -> Iterator[None]:
        """Label the commands sent inside the block (in this thread) as one logical operation."""
        with self._lock:
            self.operations[name] += 1
        previous = self._local.operation
        self._local.operation = name
        try:
            yield
        finally:
            self._local.operation = previous

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Stop recording inside the block (bulk seeding that would only drown the trace)."""
        was = self.enabled
        self.enabled = False
        try:
            yield
        finally:
            self.enabled = was

    def record(
        self,
        args: tuple[Any, ...],
        reply: Any,
        error: str | None,
        duration_ms: float,
        round_trip: int,
        kind: TraceKind,
        client: int,
    ) -> TracedCommand:
        """Append one record (thread-safe) and return it."""
        return self.record_round_trip(((args, reply, error),), duration_ms, round_trip, kind, client)[0]

    def record_round_trip(
        self,
        batch: Iterable[tuple[tuple[Any, ...], Any, str | None]],
        duration_ms: float,
        round_trip: int,
        kind: TraceKind,
        client: int,
    ) -> list[TracedCommand]:
        """Append the records of one round trip, ``(args, reply, error)`` each, under one lock.

        Every record is made here (:meth:`record`, :meth:`send` and pipelines all come through).
        """
        op = self._local.operation
        step = self.step
        with self._lock:
            seq = self._seq
            made = [
                _new(
                    TracedCommand,
                    (next(seq), args, reply, error, duration_ms, round_trip, kind, client, step, op),
                )
                for args, reply, error in batch
            ]
            self.commands.extend(made)
        return made

    def _before(self, batch: Sequence[tuple[Any, ...]]) -> Any:
        return None if self.observer is None else self.observer.before(batch)

    def _after(self, token: Any, commands: Sequence[TracedCommand]) -> None:
        if self.observer is not None:
            self.observer.after(token, commands)

    def send(self, send: Any, args: tuple[Any, ...], options: dict[str, Any], client: int) -> Any:
        """``send(*args, **options)`` as one round trip of its own, recorded (and observed)."""
        observer = self.observer
        token = observer.before((args,)) if observer is not None else None
        rt = next(self._round_trips)  # atomic: a C iterator called under the GIL
        start = time.perf_counter()
        try:
            reply = send(*args, **options)
        except Exception as exc:
            self._after(
                token,
                self.record_round_trip(
                    ((args, None, error_text(exc)),), ms_since(start), rt, "command", client
                ),
            )
            raise
        done = self.record_round_trip(((args, reply, None),), ms_since(start), rt, "command", client)
        if observer is not None:
            observer.after(token, done)
        return reply

    def attach(self, client: Any) -> Any:
        """Wrap ``client`` so that everything it sends is recorded here; returns the client."""
        if getattr(client, "_redisprep_tracer", None) is self:
            return client
        client_no = next(self._clients)
        original = client.execute_command
        original_pipeline = client.pipeline
        tracer = self

        def execute_command(*args: Any, **options: Any) -> Any:
            if not tracer.enabled:
                return original(*args, **options)
            return tracer.send(original, args, options, client_no)

        def pipeline(*p_args: Any, **p_kwargs: Any) -> Any:
            pipe = original_pipeline(*p_args, **p_kwargs)
            trace_pipeline(tracer, pipe, client_no)
            return pipe

        client.execute_command = execute_command
        pipeline = pipeline_factory(self, client, client_no) or pipeline
        client.pipeline = pipeline
        client._redisprep_tracer = self
        return client

    @staticmethod
    def detach(client: Any) -> None:
        """Remove the wrappers :meth:`attach` put on ``client``."""
        for name in ("execute_command", "pipeline", "_redisprep_tracer"):
            client.__dict__.pop(name, None)

    def by_operation(self) -> dict[str, list[TracedCommand]]:
        """Traced commands grouped by their operation label (unlabelled ones are left out)."""
        groups: dict[str, list[TracedCommand]] = {}
        for cmd in self.commands:
            if cmd.operation is not None:
                groups.setdefault(cmd.operation, []).append(cmd)
        return groups


@contextmanager
def tracing(client: Any, tracer: Tracer) -> Iterator[Tracer]:
    """Trace ``client`` inside the block, then remove the wrappers.

    Example:
        >>> with tracing(r, Tracer()) as t:
        ...     r.zadd("lb", {"alice": 100})
        >>> t.commands[0].name
        'ZADD'
    """
    tracer.attach(client)
    try:
        yield tracer
    finally:
        Tracer.detach(client)


def summarize_reply(reply: Any, width: int = 60) -> str:
    """A one-line, width-limited rendering of a reply for tables."""
    if isinstance(reply, list | tuple):
        inner = ", ".join(summarize_reply(r, width=20) for r in list(reply)[:6])
        more = f", … ({len(reply)} items)" if len(reply) > 6 else ""
        text = f"[{inner}{more}]"
    elif isinstance(reply, dict):
        text = "{" + ", ".join(f"{k}: {summarize_reply(v, 16)}" for k, v in list(reply.items())[:4])
        text += ", …}" if len(reply) > 4 else "}"
    elif isinstance(reply, bytes):
        text = repr(reply)
    elif reply is None:
        text = "(nil)"
    else:
        text = str(reply)
    return text if len(text) <= width else text[: width - 1] + "…"
