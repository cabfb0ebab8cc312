"""The grading child: contain itself, load the learner's module, and answer the parent's calls.

Started by the parent as ``python -I -c <bootstrap> FD`` with nothing secret in its arguments or
environment. The child imports what learner code may need; the parent sends the module's source and
the limits over the socket FD; the child confines itself (:mod:`redisprep.practice.contain`), runs
the module, and then serves calls: each in its own thread, so the checks' concurrent workers run
concurrently here too. It decides nothing: results and exceptions go back to the parent, which
runs the checks.
"""

from __future__ import annotations

import itertools
import os
import queue
import socket
import sys
import threading
import traceback
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from redisprep.practice import wire
from redisprep.practice.contain import ResourceLimits, confine
from redisprep.practice.fence import fence_connections
from redisprep.practice.preload import more as preload_more
from redisprep.practice.preload import preload
from redisprep.practice.relay import Relay, Waiter
from redisprep.practice.remote import RemoteCallable, RemoteRedis

#: Call threads kept waiting for the next call (the checks run at most 8 workers at once).
MAX_IDLE_THREADS = 16


def describe(exc: BaseException, impl: str) -> dict[str, Any]:
    """The learner-facing account of ``exc``: type, message and the learner's own line."""
    if isinstance(exc, SystemExit):
        return {"type": "SystemExit", "message": f"called sys.exit({exc.code!r})", "where": None}
    where = None
    if isinstance(exc, SyntaxError) and exc.lineno is not None and exc.filename == impl:
        where = exc.lineno
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == impl]
    if frames:
        where = frames[-1].lineno
    return {"type": type(exc).__name__, "message": str(exc)[:2000], "where": where}


class Link:
    """The child's end of the pipe: calls come in, questions about the parent's objects go out."""

    def __init__(self, channel: wire.Channel, impl: str) -> None:
        self.channel = channel
        self.impl = impl
        self.module: ModuleType | None = None
        self._ids = itertools.count(1)
        self._waiting: dict[int, Waiter] = {}
        """The mailbox of each question sent and not yet answered, by its id."""
        self._lock = threading.Lock()
        self._relay = Relay(self._receive, self._route, self._lock)
        self._local = threading.local()
        self._objects: dict[tuple[int, str], Any] = {}
        self._jobs: queue.SimpleQueue[dict[str, Any]] = queue.SimpleQueue()
        self._idle = 0
        """Call threads waiting on :attr:`_jobs` for their next call."""
        self.closed = False

    # -- values ---------------------------------------------------------------------------------

    def _other(self, value: Any) -> list[Any] | None:
        if isinstance(value, RemoteRedis):
            return ["h", value._handle, "redis"]
        if isinstance(value, RemoteCallable):
            return ["h", value._handle, "call"]
        if value in (float, int, str, bytes, bool):
            return ["h", 0, value.__name__]
        return None

    def _resolve(self, tag: str, items: list[Any]) -> Any:
        if tag == "x":
            return _exception(items)
        ref = wire.handle(items)
        key = (ref.id, ref.kind)
        with self._lock:
            if key not in self._objects:
                made = RemoteRedis(self, ref.id) if ref.kind == "redis" else RemoteCallable(self, ref.id)
                self._objects[key] = made
            return self._objects[key]

    # -- asking the parent ------------------------------------------------------------------------

    def ask(self, kind: str, **fields: Any) -> Any:
        """Ask the parent to act on one of its objects; its reply, or its exception raised here."""
        import redis

        if self.closed:
            raise redis.ConnectionError("the grader is gone")
        try:
            payload = {k: wire.encode(v, self._other) for k, v in fields.items()}
        except wire.ProtocolError as exc:
            raise TypeError(f"cannot pass this to the grader's client: {exc}") from None
        ask_id = next(self._ids)
        mailbox: Waiter = queue.SimpleQueue()
        with self._lock:
            self._waiting[ask_id] = mailbox
        message = {"op": "ask", "id": ask_id, "call": getattr(self._local, "call", None), "kind": kind}
        try:
            self.channel.send({**message, **payload})
        except (OSError, wire.ProtocolError) as exc:
            self._answered(ask_id)
            raise redis.ConnectionError(f"cannot reach the grader: {exc}") from None
        reply = self._relay.wait(mailbox)  # this thread reads the pipe while it can (.relay)
        self._answered(ask_id)
        if reply is None:
            raise redis.ConnectionError("the grader is gone")
        value = wire.decode(reply.get("value"), self._resolve)
        if reply.get("error") is not None:
            raise wire.decode(reply["error"], self._resolve)
        return value

    def _answered(self, ask_id: int) -> None:
        with self._lock:
            self._waiting.pop(ask_id, None)
            if not self._waiting:  # nobody reads for a question now: the serving thread reads on
                self._relay.idle_changed.notify_all()

    # -- serving the parent's calls -----------------------------------------------------------------

    def serve(self) -> None:
        """Read frames while no question waits for its answer (askers read for themselves); exit
        when the parent closes the pipe."""
        self._relay.serve(lambda: bool(self._waiting), lambda: self.closed)
        self._gone()

    def _receive(self) -> dict[str, Any] | None:
        try:
            message = self.channel.receive()
        except wire.ProtocolError:
            message = None
        if message is None:
            self._gone()
        return message

    def _gone(self) -> None:
        """The parent closed the pipe (or broke the protocol): the grade is over, end at once."""
        self.closed = True
        os._exit(0)

    def _route(self, message: dict[str, Any]) -> Waiter | None:
        """The mailbox of the question ``message`` answers; None once it was dealt with here."""
        op = message.get("op")
        if op == "reply":
            with self._lock:
                return self._waiting.get(message.get("id", -1))
        if op == "call":
            try:
                self._dispatch(message)
            except RuntimeError as exc:  # the learner's threads took the process limit
                error = {"type": "RuntimeError", "message": f"no thread for this call: {exc}", "where": None}
                self._send({"op": "done", "id": message.get("id"), "error": {**error, "token": None}})
        return None

    def _dispatch(self, message: dict[str, Any]) -> None:
        """Run the call on an idle call thread, or on a new one when every thread is busy.

        Each call in flight still has a thread of its own (the checks' concurrent workers run
        concurrently here), but a thread that finished a call waits for the next one instead of
        ending: starting a thread costs more than the round trip of a call.

        Raises:
            RuntimeError: No thread is idle and no new one can be started (the process limit).
        """
        with self._lock:
            if self._idle:
                self._idle -= 1
                self._jobs.put(message)
                return
        threading.Thread(target=self._serve_calls, args=(message,), daemon=True).start()

    def _serve_calls(self, message: dict[str, Any]) -> None:
        while True:
            self._call(message)
            with self._lock:
                if self._idle >= MAX_IDLE_THREADS:
                    return
                self._idle += 1
            message = self._jobs.get()

    def _call(self, message: dict[str, Any]) -> None:
        call_id = message["id"]
        self._local.call = call_id
        each = message.get("each")  # several calls of one function, in order (.call_each)
        try:
            fn = getattr(self.module, str(message["fn"]))
            calls = wire.decode(
                each if each is not None else ["l", ["l", message["args"], message["kwargs"]]], self._resolve
            )
        except BaseException as exc:  # noqa: BLE001 - a module attribute lookup runs learner code
            self._send({"op": "done", "id": call_id, "error": self._error(exc)})
            return
        values: list[Any] = []
        for args, kwargs in calls:
            try:
                result = fn(*args, **kwargs)
            except BaseException as exc:  # noqa: BLE001 - learner code: anything can happen
                self._send({"op": "done", "id": call_id, "error": self._error(exc)})
                return
            try:
                values.append(wire.encode(result, self._other))
            except wire.ProtocolError as exc:
                error = {"type": "TypeError", "message": f"returned something the grader cannot read ({exc})"}
                self._send({"op": "done", "id": call_id, "error": {**error, "where": None}})
                return
        self._send({"op": "done", "id": call_id, "value": ["l", *values] if each is not None else values[0]})

    def _error(self, exc: BaseException) -> dict[str, Any]:
        token = getattr(exc, "_redisprep_token", None)
        return {**describe(exc, self.impl), "token": token if isinstance(token, int) else None}

    def _send(self, message: dict[str, Any]) -> None:
        try:
            self.channel.send(message)
        except (OSError, wire.ProtocolError):
            os._exit(0)


def _exception(items: list[Any]) -> BaseException:
    """The exception the parent raised, rebuilt here as the same class where the learner can catch it."""
    import redis.exceptions

    name, message, token = (items + [None, None, None])[:3]
    module, _, cls_name = str(name).rpartition(".")
    cls: Any = None
    if module == "redis.exceptions":
        cls = getattr(redis.exceptions, cls_name, None)
    elif module == "builtins":
        cls = getattr(__builtins__ if isinstance(__builtins__, dict) else __builtins__, cls_name, None)
    if not (isinstance(cls, type) and issubclass(cls, Exception)):
        cls = type(cls_name or "GraderError", (Exception,), {})
    try:
        exc = cls(str(message))
    except Exception:  # noqa: BLE001 - a class whose constructor wants more: keep the message
        exc = RuntimeError(str(message))
    exc._redisprep_token = token  # how the parent recognises its own exception
    return exc  # type: ignore[no-any-return]


def load(source: str, impl: str, directory: str) -> ModuleType:
    """Execute the learner's source as a fresh module named ``solution`` (its own file name in tracebacks)."""
    module = ModuleType("solution")
    module.__file__ = impl
    sys.modules["solution"] = module
    if directory not in sys.path:
        sys.path.insert(0, directory)
    code = compile(source, impl, "exec")
    exec(code, module.__dict__)  # noqa: S102 - running the learner's module is the point
    return module


def main(fd: int, extra: Sequence[str] = ()) -> None:
    """Entry point in the child process (see the module docstring); ``extra`` as :func:`preload`'s."""

    channel = wire.Channel(socket.socket(fileno=fd))
    preload(extra)  # before the module arrives: the parent prepares the server meanwhile (.spawn)
    hello = channel.receive()
    while hello is not None and hello.get("op") == "preload":  # named once the exercise was known
        preload_more(hello.get("modules"))
        hello = channel.receive()
    if hello is None:
        os._exit(0)

    impl = str(hello["impl"])
    ids = hello.get("ids")
    confine(ResourceLimits(**hello["limits"]), tuple(ids) if ids else None, int(hello["parent"]), (fd,))
    os.environ.clear()
    os.environ.update({str(k): str(v) for k, v in hello["env"].items()})
    link = Link(channel, impl)

    fence_connections(lambda text: link._send({"op": "refused", "text": text}), impl)
    try:
        link.module = load(str(hello["source"]), impl, str(Path(impl).parent))
    except BaseException as exc:  # noqa: BLE001 - learner code: anything can happen at import
        channel.send({"op": "fatal", "error": describe(exc, impl)})
        os._exit(0)
    missing = [f for f in hello["interface"] if not callable(getattr(link.module, f, None))]
    channel.send({"op": "ready", "missing": missing})
    link.serve()
