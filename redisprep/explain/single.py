"""Explain one command typed like redis-cli: documented cost, N and M for this call, keys before and after.

On the embedded backend the command runs (the dataset is this process's own). On a live server a
read runs as is; a write is costed from read-only probes and its effect predicted by the model,
unless ``execute`` is set: then it runs on copies of its keys inside the run's namespace, which are
deleted afterwards. Some commands never run on a server redisprep did not start.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from typing import Any

from redisprep.backends import Backend, Namespace, delete_namespace, translate_errors
from redisprep.errors import BadUsageError
from redisprep.explain.annotate import Annotation, Probe, annotate, key_names
from redisprep.explain.commands import UnknownCommandError, command_doc, resolve_name
from redisprep.explain.costs import cost_spec
from redisprep.explain.docs import DocInfo
from redisprep.explain.fill import fill_key
from redisprep.explain.inspect import server_command
from redisprep.explain.keyspecs import rewrites_keys
from redisprep.explain.keystate import GROUP_TYPES, Source
from redisprep.explain.observer import Explainer
from redisprep.explain.predict import predict
from redisprep.explain.tracing import Tracer

#: Commands that change the connection rather than data, or stream forever: documentation only.
CONNECTION_STATE = frozenset(
    "SUBSCRIBE PSUBSCRIBE SSUBSCRIBE UNSUBSCRIBE PUNSUBSCRIBE SUNSUBSCRIBE MONITOR MULTI EXEC DISCARD "
    "WATCH UNWATCH RESET QUIT SELECT HELLO AUTH SYNC PSYNC REPLCONF".split()
) | {"CLIENT REPLY"}
#: Never sent to a server redisprep did not start (the live-server contract), whatever the flags.
NEVER_ON_LIVE = frozenset({"FLUSHDB", "FLUSHALL", "KEYS", "CONFIG SET", "SHUTDOWN", "DEBUG", "MIGRATE"})


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
    copies: dict[str, str] = field(default_factory=dict)
    """With ``execute`` on a live server: each key and the namespaced copy the command ran on."""
    filled: int | None = None


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
    backend: Backend, argv: list[str], *, execute: bool = False, fill: int | None = None
) -> Explanation:
    """Explain ``argv`` on ``backend`` (see the module docstring for what runs where).

    Raises:
        UnknownCommandError: Neither the command table nor the server knows the command.
        BadUsageError: ``execute`` or ``fill`` asked for something that cannot be confined.
        BackendUnavailableError: The server went away.
    """
    with translate_errors(backend.label):
        return _explain(backend, argv, execute, fill)


def _explain(backend: Backend, argv: list[str], execute: bool, fill: int | None) -> Explanation:
    name = _name(backend, argv)
    explainer = Explainer(backend)
    live = not backend.is_simulated and not backend.disposable
    reason = _why_not_run(backend, name, argv, live, execute)
    if fill is not None and live and not execute:
        raise BadUsageError("--fill writes keys: on a live server it needs --execute (it fills the copies)")
    if reason is not None:
        return _costed(backend, explainer, name, argv, reason)
    ns = Namespace.new() if live and execute else None
    sent, copies = _copy_keys(backend, ns, argv) if ns is not None else (list(argv), {})
    try:
        if fill is not None:
            _fill(backend, explainer, name, sent, fill)
        return _run(backend, explainer, argv, sent, copies, fill)
    finally:
        if ns is not None:
            delete_namespace(backend.client(), ns)


def _name(backend: Backend, argv: list[str]) -> str:
    try:
        return resolve_name(argv)
    except UnknownCommandError:
        # A module command the server knows (BF.ADD on the embedded backend) is explained without docs.
        if argv and command_doc(argv[0]) is None and backend.has_command(argv[0]):
            return argv[0].upper()
        raise


def _flags(backend: Backend, name: str) -> set[str]:
    reply = server_command(backend.client(), "COMMAND INFO", name.lower().replace(" ", "|"))
    entry = reply[0] if isinstance(reply, list) and reply and reply[0] else None
    return {str(f).lower() for f in entry[2]} if entry else set()


def _why_not_run(backend: Backend, name: str, argv: list[str], live: bool, execute: bool) -> str | None:
    if name in CONNECTION_STATE:
        return f"{name} changes the connection's state; explain shows its documentation only"
    if not live:
        return None
    if name in NEVER_ON_LIVE or name.split(" ")[0] in NEVER_ON_LIVE:
        return f"redisprep never sends {name} to a server it did not start"
    flags = _flags(backend, name)
    if "blocking" in flags:
        return "a blocking command: on a live server it is costed from read-only probes, never run"
    if "readonly" in flags and "admin" not in flags and not rewrites_keys(name):
        return None
    if not execute:
        return "a write on a live server: costed from read-only probes (pass --execute to run it on copies)"
    if not key_names(cost_spec(name), argv) and name not in ("EVAL", "EVALSHA", "FCALL"):
        raise BadUsageError(f"{name} writes no key that could be copied into the run's namespace; not run")
    return None


def _costed(backend: Backend, explainer: Explainer, name: str, argv: list[str], reason: str) -> Explanation:
    spec = cost_spec(name)
    keys = key_names(spec, argv)
    info = explainer.docs.get(name)
    hint = GROUP_TYPES.get(info.doc.group) if info else None
    before = explainer.inspector.states(keys, hint) if name not in CONNECTION_STATE else {}
    extras = explainer.inspector.extras(spec.probes) if spec is not None else {}
    after = predict(backend.client(), name, argv, before, explainer.inspector.limits) if before else {}
    probe = Probe(before, after, extras, explainer.inspector.source, executed=False)
    body = argv[1] if name in ("EVAL", "EVAL_RO") and len(argv) > 1 else None
    note = annotate(0, argv, None, probe, explainer.docs, body)
    return Explanation(tuple(argv), note, False, reason, backend=backend.label, state_source=explainer.source)


def _copy_keys(backend: Backend, ns: Namespace, argv: list[str]) -> tuple[list[str], dict[str, str]]:
    """Copy the command's keys into ``ns`` and point the arguments at the copies."""
    name = resolve_name(argv)
    spec = cost_spec(name)
    positions = spec.keys(argv) if spec is not None else []
    if name in ("EVAL", "EVALSHA", "FCALL"):
        _check_script_keys(argv, positions)
    if not positions:
        raise BadUsageError(f"cannot tell which arguments of {name} are keys; not run on a live server")
    client = backend.client()
    sent, copies = list(argv), dict[str, str]()
    for pos in positions:
        original = argv[pos]
        copy = copies.setdefault(original, ns.key("explain", original))
        sent[pos] = copy
        if backend.kind == "cluster":  # COPY needs both keys in one slot
            dump, ttl = client.dump(original), client.pttl(original)
            if dump is not None:
                client.restore(copy, max(ttl, 0), dump, replace=True)
        else:
            client.copy(original, copy, replace=True)
    return sent, copies


def _check_script_keys(argv: list[str], positions: list[int]) -> None:
    """A script runs on copies only if every key it touches is passed in KEYS (then it gets copies)."""
    from redisprep.explain.script import read_script

    if argv[0].upper() != "EVAL":
        raise BadUsageError("--execute on a live server runs EVAL only (the script must be readable)")
    for call in read_script(argv[1]):
        inner = cost_spec(call.command) if call.command else None
        if inner is None:
            raise BadUsageError(f"the script calls {call.command or 'a computed command'}; not run on copies")
        for pos in inner.keys(call.args):
            if not call.args[pos].replace(" ", "").startswith("KEYS["):
                raise BadUsageError(f"line {call.line} names a key not passed in KEYS; not run on copies")


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
    from redisprep.explain.commands import container_names
    from redisprep.explain.script import read_script

    for call in read_script(body, container_names()):
        if call.command and len(call.args) > 1 and call.args[1].replace(" ", "") == "KEYS[1]":
            return explainer.docs.get(call.command)
    return None


def _run(
    backend: Backend,
    explainer: Explainer,
    argv: list[str],
    sent: list[str],
    copies: dict[str, str],
    fill: int | None,
) -> Explanation:
    import redis

    tracer = Tracer(observer=explainer)
    client = tracer.attach(backend.client())
    try:
        client.execute_command(*sent)
    except redis.ResponseError:
        pass  # the error reply is recorded and shown
    except UnicodeDecodeError:
        pass  # a binary reply (DUMP): recorded as an error of the client, shown as such
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
        copies=copies,
        filled=fill,
    )
