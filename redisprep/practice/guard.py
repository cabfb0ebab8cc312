"""Keep learner code inside its exercise: refuse commands that reach other keys, before they are sent.

The grader hands learner code clients wrapped by :class:`KeyGuard`. Every command (alone, in a
pipeline or transaction, or in a Pub/Sub connection) is checked first: each key it names, found with
Redis's own key specs (:mod:`redisprep.knowledge.keyspecs`), must start with the run's prefix; a
command that acts on the whole server (``FLUSHALL``, ``KEYS``, ``CONFIG SET``, ``SCRIPT FLUSH``...)
is refused outright; Lua scripts get a prelude that checks their calls on the server
(:mod:`redisprep.practice.guard_lua`). A refused command raises :class:`ForbiddenCommandError` and
is recorded in :attr:`KeyGuard.violations`, so the check fails even when the code swallows the error.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Sequence
from typing import Any

from redisprep.errors import ForbiddenCommandError
from redisprep.knowledge.keyspecs import CommandInfo, command_info, command_keys
from redisprep.knowledge.policy import KEYLESS_WHILE_GRADING, refusal
from redisprep.practice import guard_lua

_GENERIC = "it acts on the whole server, not on the exercise's keys"
_SCRIPTS = frozenset({"EVAL", "EVAL_RO", "EVALSHA", "EVALSHA_RO"})
_SORTS = frozenset({"SORT", "SORT_RO"})
#: Keyless commands checked by their arguments: channel names, or SCAN's MATCH pattern.
_CHANNELS = frozenset({"PUBLISH", "SUBSCRIBE", "PSUBSCRIBE", "SCAN"})


def _text(value: Any) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", "surrogateescape")
    return str(value)


def argv_of(args: Sequence[Any]) -> list[str]:
    """The arguments as text, with redis-py's ``"CLIENT SETNAME"`` style first word split."""
    if not args:
        return []
    return _text(args[0]).split() + [_text(a) for a in args[1:]]


def refusal_of(info: CommandInfo) -> str | None:
    """Why ``info``'s command may not run at all while grading; None when its keys decide."""
    reason = refusal(info.name, "grading")
    if reason is not None:
        return reason
    if not info.specs and info.name not in KEYLESS_WHILE_GRADING and info.name not in _CHANNELS:
        return _GENERIC
    return None


def script_refusal_of(info: CommandInfo) -> str | None:
    """Like :func:`refusal_of`, for a call inside a Lua script, where channels and SCAN go unchecked."""
    if info.name in _CHANNELS:
        return "the grader checks its channel or MATCH pattern only outside scripts"
    return refusal_of(info)


class KeyGuard:
    """Checks commands against one run's key prefix; attach it to every client learner code gets."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.violations: list[str] = []
        """What was refused, one line each, in order (cleared by the grader before each check)."""
        self._scripts: dict[str, str] = {}
        self._lock = threading.Lock()

    # -- policy ---------------------------------------------------------------------------------

    def problem(self, argv: Sequence[str]) -> str | None:
        """Why ``argv`` may not be sent (naming the key or the command), or None when it may."""
        if not argv:
            return None
        info = command_info(argv)
        shown = argv[0].upper()
        if info is None:
            return (
                f"{shown} is not a Redis 7.0 command the grader knows, so it cannot tell which keys "
                "it touches"
            )
        reason = refusal_of(info)
        if reason is not None:
            return f"{info.name} is not allowed while grading: {reason}"
        if info.name in _CHANNELS:
            return self._channel_problem(info.name, argv)
        keys = command_keys(argv)
        assert keys is not None
        names = [argv[p] for p in keys.positions]
        if info.name in _SORTS:
            names += _sort_patterns(argv)
        elif not keys.complete:
            return f"{info.name} is not allowed while grading: the grader cannot tell which keys it names"
        if info.name == "COPY" and "DB" in (a.upper() for a in argv[3:]):
            return "COPY ... DB is not allowed while grading: it writes into another database"
        return next((self._outside(info.name, k) for k in names if not k.startswith(self.prefix)), None)

    def _outside(self, name: str, key: str, what: str = "key") -> str:
        return f"{name}: {what} {key!r} is outside this exercise's keys ({self.prefix}*)"

    def _channel_problem(self, name: str, argv: Sequence[str]) -> str | None:
        if name == "SCAN":
            upper = [a.upper() for a in argv]
            pattern = argv[upper.index("MATCH") + 1] if "MATCH" in upper[2:-1] else None
            if pattern is None or not pattern.startswith(self.prefix):
                return (
                    f"SCAN without MATCH {self.prefix}* is not allowed while grading: it reads keys "
                    "that are not the exercise's"
                )
            return None
        channels = argv[1:2] if name == "PUBLISH" else argv[1:]
        return next(
            (self._outside(name, c, "channel") for c in channels if not c.startswith(self.prefix)), None
        )

    # -- enforcement ----------------------------------------------------------------------------

    def refuse(self, text: str) -> ForbiddenCommandError:
        """Record a refusal and return the error to raise."""
        self.violations.append(text)
        return ForbiddenCommandError(f"the grader stopped this command before it reached the server: {text}")

    def prepare(self, args: tuple[Any, ...], scripts: Any = ()) -> tuple[Any, ...]:
        """Check ``args``; returns what to send instead (a guarded script), or raises.

        Args:
            args: The command as given to ``execute_command``.
            scripts: redis-py ``Script`` objects a pipeline knows, to find a body by its SHA.

        Raises:
            ForbiddenCommandError: The command reaches outside the exercise.
            redis.exceptions.NoScriptError: EVALSHA of a script the guard has not seen (redis-py's
                ``Script`` then loads it through ``SCRIPT LOAD``, which the guard sees).
        """
        argv = argv_of(args)
        text = self.problem(argv)
        if text is not None:
            raise self.refuse(text)
        name = argv[0].upper() if argv else ""
        if [a.upper() for a in argv[:2]] == ["SCRIPT", "LOAD"] and len(argv) > 2:
            self.guarded_script(argv[2])  # remembered for EVALSHA; the server may cache the original
        if name in _SCRIPTS:
            return self._script(name, args, argv, scripts)
        return args

    def _script(self, name: str, args: tuple[Any, ...], argv: list[str], scripts: Any) -> tuple[Any, ...]:
        import redis

        rest = tuple(args[2:])
        if name.startswith("EVALSHA"):
            sha = argv[1].lower()
            with self._lock:
                body = self._scripts.get(sha)
            if body is None:
                body = next((s.script for s in scripts if str(s.sha).lower() == sha), None)
            if body is None:
                raise redis.exceptions.NoScriptError(
                    "No matching script (the grader runs only scripts it has seen: EVAL, or SCRIPT LOAD)"
                )
            if isinstance(body, bytes):
                body = body.decode("utf-8", "surrogateescape")
        else:
            body = argv[1]
        guarded = self.guarded_script(body)
        return ("EVAL_RO" if name.endswith("_RO") else "EVAL", guarded, *rest)

    def guarded_script(self, body: str) -> str:
        """``body`` with the checking prelude; remembered under the SHA of ``body`` for EVALSHA."""
        guarded = _guarded(body, self.prefix)
        with self._lock:
            self._scripts[guard_lua.sha1(body)] = body
        return guarded

    def noticed(self, exc: BaseException) -> ForbiddenCommandError | None:
        """If ``exc`` is a refusal raised by a guarded script on the server, record it."""
        text = guard_lua.guard_message(str(exc))
        return None if text is None else self.refuse(text)

    def attach(self, client: Any) -> Any:
        """Check everything ``client`` (and its pipelines and Pub/Sub objects) sends; returns it."""
        if getattr(client, "_redisprep_guard", None) is self:
            return client
        guard = self
        original = client.execute_command
        original_pipeline = client.pipeline
        original_pubsub = getattr(client, "pubsub", None)

        def execute_command(*args: Any, **options: Any) -> Any:
            sent = guard.prepare(args)
            return guard._send(original, sent, options)

        def pipeline(*p_args: Any, **p_kwargs: Any) -> Any:
            return guard._attach_pipeline(original_pipeline(*p_args, **p_kwargs))

        client.execute_command = execute_command
        client.pipeline = pipeline
        if original_pubsub is not None:
            client.pubsub = lambda *a, **k: guard._attach_pubsub(original_pubsub(*a, **k))
        client._redisprep_guard = self
        return client

    def _send(self, send: Any, args: tuple[Any, ...], options: dict[str, Any]) -> Any:
        import redis

        try:
            return send(*args, **options)
        except redis.ResponseError as exc:
            refused = self.noticed(exc)
            if refused is not None:
                raise refused from None
            raise

    def _attach_pipeline(self, pipe: Any) -> Any:
        guard = self
        original = pipe.execute_command
        original_execute = pipe.execute

        def execute_command(*args: Any, **options: Any) -> Any:
            sent = guard.prepare(args, getattr(pipe, "scripts", ()))
            return guard._send(original, sent, options)

        def execute(*args: Any, **kwargs: Any) -> Any:
            replies = guard._send(original_execute, args, kwargs)
            for reply in replies if isinstance(replies, list) else []:
                if isinstance(reply, Exception):
                    guard.noticed(reply)
            return replies

        pipe.execute_command = execute_command
        pipe.execute = execute
        return pipe

    def _attach_pubsub(self, pubsub: Any) -> Any:
        guard = self
        original = pubsub.execute_command

        def execute_command(*args: Any, **options: Any) -> Any:
            return original(*guard.prepare(args), **options)

        pubsub.execute_command = execute_command
        return pubsub


@functools.lru_cache(maxsize=256)
def _guarded(body: str, prefix: str) -> str:
    """:func:`guard_lua.guard_script` for a call inside a script; a function of its arguments alone.

    Cached: checks send one script hundreds of times, and reading it costs more than running it.
    """
    return guard_lua.guard_script(body, prefix, script_refusal_of)


def _sort_patterns(argv: Sequence[str]) -> list[str]:
    """Keys SORT reads or writes besides its first: BY and GET patterns with ``*``, and STORE."""
    out: list[str] = []
    i = 2
    while i < len(argv):
        word = argv[i].upper()
        if word in ("BY", "GET") and i + 1 < len(argv):
            pattern = argv[i + 1]
            if "*" in pattern and pattern != "#":
                out.append(pattern)
            i += 2
        elif word == "STORE" and i + 1 < len(argv):
            out.append(argv[i + 1])
            i += 2
        elif word == "LIMIT":
            i += 3
        else:
            i += 1
    return out
