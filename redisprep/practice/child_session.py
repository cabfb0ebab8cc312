"""The parent's end of the grading child: start it contained, call the learner's functions, answer it.

A call sends a function name and arguments; clients and callables among the arguments stay here
and go as handles. While the call runs, every command the learner's code sends on such a client
comes back as a question tagged with the call, and the thread that made the call answers it on the
very client it passed: the checks' tracer, lockstep gates and key guard see each command in the
thread they expect, exactly as when the reference runs in-process. Several threads may call at
once (the child runs each call in its own thread). Nothing the child sends is executed as code:
frames are JSON, handles are numbers the parent gave out, and only client methods are invoked.
"""

from __future__ import annotations

import itertools
import os
import queue
import subprocess
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from redisprep.errors import RedisprepError
from redisprep.practice import wire
from redisprep.practice.contain import ResourceLimits
from redisprep.practice.handles import Handles
from redisprep.practice.proctree import Tree, Watchdog, start_time
from redisprep.practice.relay import Relay, Waiter
from redisprep.practice.spawn import Spawned, child_env, spawn

#: How Redis (6.2 to 8) and Valkey word a refusal by ACL, directly and inside a script; lower case.
_ACL_REFUSALS = ("noperm", "no permissions to", "can't run this command", "can't access at least one")
#: Longest the child may take to import, confine itself and run the learner's module.
START_TIMEOUT_S = 15.0


class ChildGoneError(RedisprepError):
    """The grading child ended (killed for a time limit, crashed, or broke the protocol)."""


class LearnerCodeError(RedisprepError):
    """The learner's function raised; the message names the exception and the learner's line."""


class LearnerFatalError(RedisprepError):
    """The learner's module could not be loaded, or lacks functions of the interface."""


@dataclass
class _Call:
    replies: Waiter = field(default_factory=queue.SimpleQueue)


class ChildSession:
    """One running grading child."""

    def __init__(
        self,
        impl: Path,
        interface: tuple[str, ...],
        workspace: Path,
        *,
        limits: ResourceLimits,
        keep_pids: tuple[int, ...] = (),
        on_refused: Callable[[str], None] | None = None,
        on_output: Callable[[ChildSession], None] | None = None,
        spawned: Spawned | None = None,
    ) -> None:
        """Start the child (or take ``spawned``) and load the learner's module in it.

        Args:
            on_output: Called at once with the session, to drain the child's output
                (``self.proc.stdout``, which it must close at the end).
            spawned: A child started earlier in ``workspace`` (:func:`.spawn.spawn`); a new one
                is started when it is taken, gone, or started elsewhere.

        Raises:
            LearnerFatalError: The module failed to import or misses functions.
            ChildGoneError: The child died or did not start in time.
        """
        self.impl = impl
        self.limits = limits
        self.gone: str | None = None
        """Why the child is gone (None while it runs)."""
        self.handles = Handles()
        self._calls: dict[int, _Call] = {}
        self._call_ids = itertools.count(1)
        self._lock = threading.Lock()
        self._relay = Relay(self._receive, self._route, self._lock)
        self._service = ThreadPoolExecutor(max_workers=8, thread_name_prefix="grader-service")
        self._startup: queue.SimpleQueue[dict[str, Any] | None] = queue.SimpleQueue()
        self._on_refused = on_refused
        if spawned is None or not spawned.usable_for(workspace):
            spawned = spawn(workspace, spawned.preload if spawned is not None else ())
        spawned.taken = True
        ours, ids, self.proc = spawned.sock, spawned.ids, spawned.proc
        if on_output is not None:
            on_output(self)
        elif self.proc.stdout is not None:
            self.proc.stdout.close()
        self.tree = Tree(self.proc.pid, start_time(self.proc.pid), keep_pids)
        self.channel = wire.Channel(ours)
        self._reader = threading.Thread(
            target=self._relay.serve,
            args=(lambda: bool(self._calls), lambda: self.gone is not None),
            name="grader-reader",
            daemon=True,
        )
        self._reader.start()
        self.watchdog = Watchdog(self.tree, limits.processes, self._watchdog_fired)
        hello = {
            "op": "hello",
            "source": impl.read_text(encoding="utf-8", errors="surrogateescape"),
            "impl": str(impl),
            "interface": list(interface),
            "limits": {f: getattr(limits, f) for f in ResourceLimits.__dataclass_fields__},
            "ids": list(ids) if ids else None,
            "parent": os.getpid(),
            "env": child_env(workspace),
        }
        self.channel.send(hello)
        self._await_ready()

    # -- lifecycle ----------------------------------------------------------------------------------

    def _await_ready(self) -> None:
        try:
            first = self._startup.get(timeout=START_TIMEOUT_S)
        except queue.Empty:
            self.close("did not load within the start-up time limit (an endless loop at import?)")
            raise ChildGoneError(self.gone) from None
        if first is None:
            raise ChildGoneError(self.gone or "the grading process ended while loading your module")
        if first.get("op") == "fatal":
            error = first.get("error") or {}
            self.close("import failed")
            raise LearnerFatalError(f"your module failed to import: {self._describe(error)}")
        missing = [str(m) for m in first.get("missing") or []]
        if missing:
            self.close("missing functions")
            raise LearnerFatalError(f"missing functions: {', '.join(missing)}")

    def _watchdog_fired(self, why: str) -> None:
        self._end(f"the grader stopped your code: {why}")

    def close(self, why: str = "grading finished") -> int:
        """Kill the child and everything it started; returns how many processes were killed."""
        self.watchdog.stop()
        self._end(why)
        killed = self.tree.kill()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        self.channel.close()
        self._service.shutdown(wait=False, cancel_futures=True)
        return killed

    def kill(self, why: str) -> None:
        """Stop the child now (a time limit): every call in flight raises :class:`ChildGoneError`."""
        self._end(why)
        self.tree.kill()

    def _end(self, why: str) -> None:
        with self._lock:
            if self.gone is None:
                self.gone = why
            calls = list(self._calls.values())
            self._relay.idle_changed.notify_all()
        for call in calls:
            call.replies.put(None)
        self._startup.put(None)

    # -- reading the child --------------------------------------------------------------------------

    def _receive(self) -> dict[str, Any] | None:
        """The child's next frame; None once it is gone (why is recorded in :attr:`gone`)."""
        try:
            message = self.channel.receive()
        except wire.ProtocolError as exc:
            self._end(f"the grading process broke the grader's protocol ({exc})")
            self.tree.kill()
            return None
        if message is None:
            code = self.proc.wait()
            self._end(f"the grading process exited with code {code}")
        return message

    def _route(self, message: dict[str, Any]) -> Waiter | None:
        """The mailbox of the call ``message`` is for; None once it was dealt with here."""
        op = message.get("op")
        if op in ("ready", "fatal"):
            self._startup.put(message)
        elif op == "refused" and self._on_refused is not None:
            self._on_refused(str(message.get("text"))[:500])
        elif op in ("done", "ask"):
            target = message.get("id") if op == "done" else message.get("call")
            with self._lock:
                call = self._calls.get(target) if type(target) is int else None
            if call is not None:
                return call.replies
            if op == "ask":
                self._service.submit(self._answer, message)
        return None

    # -- calling the learner's functions --------------------------------------------------------------

    def call_each(self, name: str, calls: list[tuple[tuple[Any, ...], dict[str, Any]]]) -> list[Any]:
        """Call the learner's ``name`` once per ``(args, kwargs)``, in order, in one message.

        The results, one per call; the first exception stops the rest, as in a loop of :meth:`call`.

        Raises:
            LearnerCodeError: As :meth:`call`, or the child answered with something else than one
                result per call.
        """
        results = self.call(name, (), {}, each=calls)
        if not isinstance(results, list) or len(results) != len(calls):
            raise LearnerCodeError(
                "your code returned something the grader cannot read: not one result per call"
            )
        return results

    def call(
        self,
        name: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        each: list[tuple[tuple[Any, ...], dict[str, Any]]] | None = None,
    ) -> Any:
        """Call the learner's ``name(*args, **kwargs)`` in the child; its result, or its exception.

        ``each`` (:meth:`call_each`) sends several calls instead, and the result is their list.

        Raises:
            LearnerCodeError: The learner's function raised (the message names their line).
            ChildGoneError: The child ended before answering.
            Exception: An exception the grader raised inside the call (a command the key guard
                refused, a lost server), passed through the learner's code unchanged.
        """
        call_id = next(self._call_ids)
        call = _Call()
        with self._lock:
            if self.gone is not None:
                raise ChildGoneError(self.gone)
            self._calls[call_id] = call
        try:
            message = {"op": "call", "id": call_id, "fn": name}
            if each is None:
                message["args"] = wire.encode(list(args), self.handles.tagged)
                message["kwargs"] = wire.encode(kwargs, self.handles.tagged)
            else:
                message["each"] = wire.encode([[list(a), k] for a, k in each], self.handles.tagged)
            self.channel.send(message)
            while True:
                reply = self._relay.wait(call.replies)
                if reply is None:
                    raise ChildGoneError(self.gone or "the grading process ended")
                if reply.get("op") == "ask":
                    self._answer(reply)
                    continue
                return self._result(reply)
        except OSError:
            raise ChildGoneError(self.gone or "the grading process ended") from None
        finally:
            with self._lock:
                self._calls.pop(call_id, None)
                if not self._calls:
                    self._relay.idle_changed.notify_all()

    def _result(self, reply: dict[str, Any]) -> Any:
        error = reply.get("error")
        if error is None:
            try:
                return wire.decode(reply.get("value"), self.handles.resolve)
            except wire.ProtocolError as exc:
                raise LearnerCodeError(
                    f"your code returned something the grader cannot read: {exc}"
                ) from None
        if not isinstance(error, dict):
            raise LearnerCodeError("your code raised an exception the grader cannot read")
        token = error.get("token")
        original = self.handles.original(token)
        if original is not None:
            # The grader's own exception (a refused command, a lost server, a lockstep abort) came
            # back through the learner's code unchanged: raise the very object, noting their line.
            original._redisprep_where = error.get("where")  # type: ignore[attr-defined]
            raise original
        raise LearnerCodeError(f"your code raised {self._describe(error)}")

    def _describe(self, error: dict[str, Any]) -> str:
        kind, text = str(error.get("type", "Exception"))[:100], str(error.get("message", ""))[:2000]
        if kind == "SystemExit":
            return text
        where = error.get("where")
        place = f" (at {self.impl.name}:{where})" if type(where) is int else ""
        return f"{kind}: {text}".rstrip(": ") + place

    # -- answering the child's questions -------------------------------------------------------------

    def _answer(self, message: dict[str, Any]) -> None:
        reply: dict[str, Any] = {"op": "reply", "id": message.get("id")}
        try:
            value = self.handles.perform(message)
            for item in value if isinstance(value, list) else []:
                self._noticed(item)  # a pipeline's replies
            reply["value"] = wire.encode(value, self.handles.tagged)
        except wire.ProtocolError as exc:
            reply["error"] = self.handles.error_of(TypeError(f"the grader cannot pass this: {exc}"))
        except Exception as exc:  # noqa: BLE001 - handed to the learner's code, which may catch it
            self._noticed(exc)
            reply["error"] = self.handles.error_of(exc)
        try:
            self.channel.send(reply)
        except (OSError, wire.ProtocolError):
            pass

    def _noticed(self, reply: Any) -> None:
        """Record the server refusing the run's user (ACL): it fails the check, caught or not."""
        if self._on_refused is None or not isinstance(reply, Exception):
            return
        text = str(reply)
        lowered = text.lower()
        if any(sign in lowered for sign in _ACL_REFUSALS):
            self._on_refused(f"the server refused it for this run's user: {text.splitlines()[0][:300]}")

    def forget(self) -> None:
        """Drop the pipelines, callables and exceptions of the check that just ended (clients stay)."""
        self.handles.forget()
