"""Explain one command typed like redis-cli: documented cost, N and M for this call, keys before and after.

On the embedded backend (or a server redisprep started) the command runs there. On a server
redisprep did not start, the user's command never runs: explain sends only reads it builds itself
(:mod:`redisprep.explain.readonly`), costs the command from them and predicts its effect. With
``execute`` the command runs on a disposable server holding copies of its keys
(:mod:`redisprep.explain.copies`), whatever the command or script is; the output says where.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field, replace
from typing import Any

from redisprep.backends import Backend, translate_errors
from redisprep.errors import BadUsageError
from redisprep.explain.annotate import Annotation, Probe, annotate, key_names
from redisprep.explain.copies import (
    RUN_TIMEOUT_S,
    CopyOpener,
    copy_keys,
    differences,
    disposable,
    keyspace,
)
from redisprep.explain.costs import cost_spec
from redisprep.explain.docs import DocInfo
from redisprep.explain.fill import fill_key
from redisprep.explain.keystate import GROUP_TYPES, Source
from redisprep.explain.observer import Explainer
from redisprep.explain.predict import predict
from redisprep.explain.readonly import ReadLog, read_only
from redisprep.explain.resolve import UnknownCommandError, resolve_name
from redisprep.explain.script import read_script
from redisprep.explain.tracing import Tracer
from redisprep.knowledge.commands import command_doc, container_names
from redisprep.knowledge.keyspecs import command_keys
from redisprep.knowledge.policy import CONNECTION_STATE, NEVER_ON_USER_SERVER

SCRIPTS = frozenset({"EVAL", "EVAL_RO"})
#: Commands whose simple-string reply (``OK``, ``PONG``) redis-py turns into True: explain keeps the
#: reply Redis sent, as redis-cli shows it, instead of a boolean that reads as ``(integer) 1``.
STATUS_REPLIES = (
    "SET", "PING", "MSET", "LSET", "LTRIM", "RENAME", "PFMERGE", "XGROUP CREATE", "XGROUP SETID",
    "SELECT", "WATCH", "UNWATCH", "SWAPDB",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Explanation:
    """The result of explaining one command."""

    argv: tuple[str, ...]
    note: Annotation
    executed: bool
    why_not_run: str | None
    """Why the command was costed without running it (None when it ran)."""
    reply: Any = None
    error: str | None = None
    latency_ms: float | None = None
    round_trips: int = 0
    backend: str = ""
    state_source: Source = "read"
    filled: int | None = None
    ran_on: str | None = None
    """Where the command ran when that was not the server given (a disposable copy)."""
    copied: tuple[str, ...] = ()
    """Keys copied from the user's server into the disposable one."""
    changes: tuple[str, ...] = ()
    """What the command did to the copy's keyspace (keys created, deleted, retyped)."""
    user_reads: str | None = None
    """What the user's server received (explain's own reads only), by command."""
    notes: tuple[str, ...] = field(default_factory=tuple)


def parse_command(words: list[str]) -> list[str]:
    """The command's arguments: one string is split like redis-cli does; several are taken as given.

    Raises:
        BadUsageError: Nothing given, or unbalanced quotes.
    """
    if len(words) == 1:
        try:
            words = shlex.split(words[0])
        except ValueError as exc:
            raise BadUsageError(f"cannot parse the command: {exc}") from None
    if not words:
        raise BadUsageError('no command given (example: redisprep explain "ZADD lb 100 alice")')
    return words


def explain_command(
    backend: Backend,
    argv: list[str],
    *,
    open_copy: CopyOpener,
    execute: bool = False,
    fill: int | None = None,
) -> Explanation:
    """Explain ``argv`` on ``backend`` (see the module docstring for what runs where).

    Args:
        open_copy: Opens the run that starts and owns a disposable server (``--execute`` on a
            server redisprep did not start): ``Run(Target(private=True), what=...)``.

    Raises:
        UnknownCommandError: Neither the command table nor the server knows the command.
        BadUsageError: ``execute`` or ``fill`` asked for something that cannot be confined.
        BackendUnavailableError: The server went away.
    """
    with translate_errors(backend.label):
        return _explain(backend, argv, execute, fill, open_copy)


def _explain(
    backend: Backend, argv: list[str], execute: bool, fill: int | None, open_copy: CopyOpener
) -> Explanation:
    name = _name(backend, argv)
    if backend.is_simulated or backend.disposable:
        explainer = Explainer(backend)
        if name in CONNECTION_STATE:
            return _costed(backend, explainer, name, argv, _doc_only(name))
        if fill is not None:
            _fill(backend, explainer, name, argv, fill)
        return _run(backend, explainer, argv, fill)
    log = ReadLog()
    view = read_only(backend, log)
    reason = _doc_only(name) if name in CONNECTION_STATE or _never_on_live(name) else None
    if reason is None and not execute:
        if fill is not None:
            raise BadUsageError(
                "--fill writes keys: on a live server it needs --execute (it fills the copies)"
            )
        reason = (
            "explain sends only its own reads to a server redisprep did not start; pass --execute to "
            "run the command on a disposable server holding copies of its keys"
        )
    if reason is not None:
        expl = _costed(view, Explainer(view), name, argv, reason)
        return replace(expl, user_reads=log.summary())
    return replace(_on_copy(view, name, argv, fill, open_copy), user_reads=log.summary())


def _doc_only(name: str) -> str:
    if name in CONNECTION_STATE:
        return f"{name} changes the connection's state; explain shows its documentation only"
    return f"redisprep never sends {name} to a server it did not start; explain shows its documentation"


def _never_on_live(name: str) -> bool:
    return name in NEVER_ON_USER_SERVER or name.split(" ")[0] in NEVER_ON_USER_SERVER


def _on_copy(
    view: Backend, name: str, argv: list[str], fill: int | None, open_copy: CopyOpener
) -> Explanation:
    """Copy the keys ``argv`` names into a disposable server and run it there."""
    import redis

    keys = _keys_of(name, argv)
    with disposable(keys, open_copy) as target:
        if target.server is None and name in SCRIPTS:
            raise BadUsageError(
                "a script runs on copies only on a disposable redis-server, which checks that it "
                "touches no key it was not given; install redis-server or set $REDISPREP_SERVER"
            )
        try:
            copy_keys(view.client(decode_responses=False), target, keys)
            explainer = Explainer(target.runner)
            if fill is not None:
                _fill(target.runner, explainer, name, argv, fill)
            before = keyspace(target.admin)
            expl = _run(target.runner, explainer, argv, fill, timeout_s=RUN_TIMEOUT_S)
            if _touched_other_keys(expl.error):
                raise BadUsageError(
                    f"{name} touched a key it does not name as a key (a script's key outside KEYS, or a "
                    "pattern), so its keys cannot be known and it cannot be run on copies"
                )
            after = keyspace(target.admin) if not _timed_out(expl) else before
        except redis.ResponseError as exc:
            raise BadUsageError(f"cannot run {name} on a copy: {exc}") from None
    where = f"{target.where}, holding copies of {len(target.copied)} of its {len(set(keys))} keys"
    return replace(
        expl,
        backend=view.label,
        ran_on=where + " (stopped afterwards)",
        copied=tuple(target.copied),
        changes=tuple(differences(before, after)),
        notes=tuple(target.notes),
    )


def _keys_of(name: str, argv: list[str]) -> list[str]:
    """The keys ``argv`` names, by Redis's key specs; refused where they cannot be known."""
    if name in ("EVALSHA", "EVALSHA_RO", "FCALL", "FCALL_RO"):
        raise BadUsageError(
            f"{name} runs code stored on your server, which explain does not copy; use EVAL with the "
            "script's text"
        )
    if name in ("SORT", "SORT_RO"):
        return _sort_keys(argv)
    found = command_keys(argv)
    if found is None or not found.complete:
        raise BadUsageError(f"cannot tell which keys {name} touches, so it cannot be run on copies")
    return [argv[p] for p in found.positions]


def _sort_keys(argv: list[str]) -> list[str]:
    """SORT's source and STORE destination; BY or GET with a pattern reads keys that cannot be known."""
    keys, i = argv[1:2], 2
    while i < len(argv):
        word = argv[i].upper()
        if word in ("BY", "GET") and i + 1 < len(argv):
            if "*" in argv[i + 1] and argv[i + 1] != "#":
                raise BadUsageError(
                    f"SORT ... {word} {argv[i + 1]} reads keys named by a pattern, which cannot be known; "
                    "not run on copies"
                )
            i += 2
        elif word == "STORE" and i + 1 < len(argv):
            keys.append(argv[i + 1])
            i += 2
        else:
            i += 3 if word == "LIMIT" else 1
    return keys


def _touched_other_keys(error: str | None) -> bool:
    """Whether an error reply is Redis refusing a key outside the copy user's (the copied keys)."""
    return (
        bool(error)
        # Redis: "No permissions to access one of the keys"; Valkey 8: "... to access a key".
        and re.search(
            r"(no permissions to|can't) access ((at least )?one of the keys|a key)", str(error), re.I
        )
        is not None
    )


def _timed_out(expl: Explanation) -> bool:
    return bool(expl.error) and "no reply within" in str(expl.error)


def _name(backend: Backend, argv: list[str]) -> str:
    try:
        return resolve_name(argv)
    except UnknownCommandError:
        # A module command the server knows (BF.ADD on the embedded backend) is explained without docs.
        if argv and command_doc(argv[0]) is None and backend.has_command(argv[0]):
            return argv[0].upper()
        raise


def _costed(backend: Backend, explainer: Explainer, name: str, argv: list[str], reason: str) -> Explanation:
    import redis

    spec = cost_spec(name)
    keys = key_names(spec, argv)
    info = explainer.docs.get(name)
    hint = GROUP_TYPES.get(info.doc.group) if info else None
    before = explainer.inspector.states(keys, hint) if name not in CONNECTION_STATE else {}
    extras = explainer.inspector.extras(spec.probes) if spec is not None else {}
    after: dict[str, Any] = {}
    if before:
        try:
            after = predict(backend.client(), name, argv, before, explainer.inspector.limits)
        except redis.ResponseError as exc:  # WRONGTYPE: the key holds another type
            reason += f"; it would fail: {str(exc).splitlines()[0]}"
    probe = Probe(before, after, extras, explainer.inspector.source, executed=False)
    body = argv[1] if name in ("EVAL", "EVAL_RO") and len(argv) > 1 else None
    note = annotate(0, argv, None, probe, explainer.docs, body)
    return Explanation(tuple(argv), note, False, reason, backend=backend.label, state_source=explainer.source)


def _fill(backend: Backend, explainer: Explainer, name: str, sent: list[str], count: int) -> None:
    keys = key_names(cost_spec(name), sent)
    info = explainer.docs.get(name)
    if name in ("EVAL", "EVAL_RO") and len(sent) > 1:
        info = _first_script_doc(explainer, sent[1])
    kind = GROUP_TYPES.get(info.doc.group) if info else None
    if not keys or kind is None:
        raise BadUsageError("--fill needs a command on a string, list, set, sorted set, hash or stream key")
    fill_key(backend.client(), keys[0], "geo" if info and info.doc.group == "geo" else kind, count)


def _first_script_doc(explainer: Explainer, body: str) -> DocInfo | None:
    """The docs of the first command a script calls on ``KEYS[1]`` (what ``--fill`` should build)."""

    for call in read_script(body, container_names()):
        if call.command and len(call.args) > 1 and call.args[1].replace(" ", "") == "KEYS[1]":
            return explainer.docs.get(call.command)
    return None


def _run(
    backend: Backend, explainer: Explainer, argv: list[str], fill: int | None, timeout_s: float | None = None
) -> Explanation:
    import redis

    tracer = Tracer(observer=explainer)
    options = {} if timeout_s is None else {"socket_timeout": timeout_s}
    raw = backend.client(**options)
    for status in STATUS_REPLIES:
        raw.set_response_callback(status, _as_sent)
    client = tracer.attach(raw)
    try:
        client.execute_command(*argv)
    except redis.ResponseError:
        pass  # the error reply is recorded and shown
    except UnicodeDecodeError:
        pass  # a binary reply (DUMP): recorded as an error of the client, shown as such
    except redis.TimeoutError:
        if timeout_s is None:
            raise
        note = explainer.notes.get(tracer.commands[-1].seq) if tracer.commands else None
        blocked = f"no reply within {timeout_s:g} s (a blocking command or a long script); abandoned"
        if note is None:
            raise BadUsageError(f"{argv[0]}: {blocked}") from None
        return Explanation(tuple(argv), note, True, None, None, blocked, None, 1, backend.label,
                           explainer.source, fill)  # fmt: skip
    cmd = tracer.commands[-1]
    note = explainer.notes[cmd.seq]
    return Explanation(
        argv=tuple(argv),
        note=note,
        executed=True,
        why_not_run=None,
        reply=cmd.reply,
        error=cmd.error,
        latency_ms=cmd.duration_ms,
        round_trips=1,
        backend=backend.label,
        state_source=explainer.source,
        filled=fill,
    )


def _as_sent(reply: Any, **options: Any) -> Any:
    """The reply as Redis sent it (no redis-py conversion to a boolean)."""
    return reply
