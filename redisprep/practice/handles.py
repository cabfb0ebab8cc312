"""The parent's objects the grading child may name (clients, pipelines, callables), and its questions.

The child never holds a client: it names the parent's by a number given out here, and asks for a
command, a pipeline or a call on it (:meth:`Handles.perform`). An exception the grader raises goes
to the child as a token, so that the very object can be raised again when it comes back. Only
numbers given out here are accepted, and only client methods are invoked.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from typing import Any

from redisprep.practice import wire

_BUILTINS: dict[str, Any] = {"float": float, "int": int, "str": str, "bytes": bytes, "bool": bool}


class Handles:
    """The numbered objects of one grading child, and the grader's exceptions it was handed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._objects: dict[int, tuple[str, Any]] = {}
        self._ids_of: dict[int, int] = {}
        self._numbers = itertools.count(1)
        self._tokens: dict[int, BaseException] = {}
        self._token_ids = itertools.count(1)

    def register(self, obj: Any, kind: str) -> int:
        """The number of ``obj`` (the same one each time it is handed over)."""
        with self._lock:
            known = self._ids_of.get(id(obj))
            if known is not None and self._objects[known][1] is obj:
                return known
            handle = next(self._numbers)
            self._objects[handle] = (kind, obj)
            self._ids_of[id(obj)] = handle
            return handle

    def object(self, handle: Any, kind: str) -> Any:
        """The object numbered ``handle``, if it is a ``kind``.

        Raises:
            TypeError: No such object was handed over.
        """
        entry = self._objects.get(handle) if type(handle) is int else None
        if entry is None or entry[0] != kind:
            raise TypeError("not an object the grader handed over")
        return entry[1]

    def tagged(self, value: Any) -> list[Any] | None:
        """How ``value`` goes to the child when it is not plain data (for :func:`.wire.encode`)."""
        if isinstance(value, BaseException):
            return self.error_of(value)
        if hasattr(value, "execute_command") and hasattr(value, "pipeline"):
            return ["h", self.register(value, "redis"), "redis"]
        if callable(value):
            return ["h", self.register(value, "call"), "call"]
        return None

    def resolve(self, tag: str, items: list[Any]) -> Any:
        """The object a handle from the child names (for :func:`.wire.decode`).

        Raises:
            ProtocolError: An exception sent by the child, or a handle never given out.
        """
        if tag != "h":
            raise wire.ProtocolError("the child may not send exceptions")
        ref = wire.handle(items)
        if ref.id == 0 and ref.kind in _BUILTINS:
            return _BUILTINS[ref.kind]
        entry = self._objects.get(ref.id)
        if entry is None or entry[0] != ref.kind:
            raise wire.ProtocolError("a handle the grader never gave out")
        return entry[1]

    def error_of(self, exc: BaseException) -> list[Any]:
        """``exc`` as the child receives it: its class name, message and a token for :meth:`original`."""
        token = next(self._token_ids)
        with self._lock:
            self._tokens[token] = exc
        cls = type(exc)
        return ["x", f"{cls.__module__}.{cls.__qualname__}", str(exc)[:4000], token]

    def original(self, token: Any) -> BaseException | None:
        """The exception handed over as ``token``, or None."""
        return self._tokens.get(token) if type(token) is int else None

    def perform(self, m: dict[str, Any]) -> Any:
        """Do what the child asks of one of these objects (a ``kind`` of question); its result."""
        kind = m.get("kind")
        h = m.get("h")

        def arg(name: str) -> Any:
            return wire.decode(m.get(name), self.resolve)

        if kind == "cmd":
            return self.object(h, "redis").execute_command(*_argv(arg("args")), **_options(arg("options")))
        if kind == "pipe":
            client = self.object(h, "redis")
            pipe = client.pipeline(transaction=bool(arg("transaction")), shard_hint=arg("shard_hint"))
            return self.register(pipe, "pipe")
        if kind == "pipe_cmd":
            return self.object(h, "pipe").execute_command(*_argv(arg("args")), **_options(arg("options")))
        if kind == "pipe_run":
            return self._run_pipeline(self.object(h, "pipe"), m, arg)
        if kind == "pipe_reset":
            self.object(h, "pipe").reset()
            return None
        if kind == "invoke":
            args, kwargs = arg("args"), arg("kwargs")
            if not isinstance(args, list) or not isinstance(kwargs, dict):
                raise TypeError("malformed call")
            return self.object(h, "call")(*args, **{str(k): v for k, v in kwargs.items()})
        raise TypeError(f"the grader does not know {str(kind)[:40]!r}")

    def _run_pipeline(self, pipe: Any, m: dict[str, Any], arg: Callable[[str], Any]) -> Any:
        from redis.commands.core import Script

        commands = arg("commands")
        if not isinstance(commands, list):
            raise TypeError("malformed pipeline")
        if arg("multi") and not pipe.explicit_transaction:
            pipe.multi()
        for body in arg("scripts") or []:
            if isinstance(body, str | bytes):
                pipe.scripts.add(Script(pipe, body))
        for entry in commands:
            if not (isinstance(entry, list) and len(entry) == 2):
                raise TypeError("malformed pipeline")
            pipe.execute_command(*_argv(entry[0]), **_options(entry[1]))
        return pipe.execute(raise_on_error=bool(arg("raise_on_error")))

    def forget(self) -> None:
        """Drop the pipelines, callables and exceptions of the check that just ended.

        Clients stay: learner code may keep what it built on one (a ``register_script`` made on the
        first call), as it could with a real client that outlives the call.
        """
        with self._lock:
            kept = {h: e for h, e in self._objects.items() if e[0] == "redis"}
            self._objects = kept
            self._ids_of = {id(e[1]): h for h, e in kept.items()}
            self._tokens.clear()


def _argv(value: Any) -> list[Any]:
    if not isinstance(value, list) or not value:
        raise TypeError("a command must be a non-empty list of arguments")
    for item in value:
        if not isinstance(item, str | bytes | int | float) or isinstance(item, bool):
            raise TypeError(f"a command argument cannot be a {type(item).__name__}")
    return value


def _options(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise TypeError("malformed command options")
    return value
