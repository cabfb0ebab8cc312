"""Explain a whole run: a tracer observer that probes keys around every round trip and annotates it.

Attach with ``Tracer(observer=Explainer(backend))``. Before a round trip it reads the state of every
key the commands name; after it, the state of the keys that were written. Commands sent together
(pipeline, MULTI/EXEC) are probed around the whole batch. Scripts are read from EVAL, SCRIPT LOAD
and FUNCTION LOAD so EVALSHA and FCALL can be explained too.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from redisprep.explain.annotate import Annotation, Probe, annotate, command_name, key_names
from redisprep.explain.costs import cost_spec
from redisprep.explain.costs.costspec import CostSpec
from redisprep.explain.docs import CommandDocs
from redisprep.explain.key_inspectors import Inspector, inspector_for, server_command
from redisprep.explain.keystate import GROUP_TYPES, KeyState, Source
from redisprep.explain.script import library_scripts, registered_functions
from redisprep.explain.tracing import TracedCommand
from redisprep.knowledge.keyspecs import command_keys

#: Writes whose destination takes the source's value, encoding included.
_MOVES = {"RENAME": (1, 2), "RENAMENX": (1, 2), "COPY": (1, 2)}


@dataclass(frozen=True, slots=True)
class EncodingChange:
    """A key whose encoding changed under a command (``listpack`` -> ``skiplist``)."""

    key: str
    command: str
    ordinal: int
    """This was the ``ordinal``-th ``command`` sent to ``key`` in the run."""
    before: KeyState
    after: KeyState
    seq: int
    step: str | None
    batched: bool

    @property
    def memory_ratio(self) -> float | None:
        """Memory after / before, when both are known."""
        b, a = self.before.memory, self.after.memory
        return a / b if a and b else None


@dataclass(frozen=True, slots=True)
class _Plan:
    argv: tuple[str, ...]
    name: str
    spec: CostSpec | None
    keys: tuple[str, ...]


class Explainer:
    """Annotates every traced command of a run; read :attr:`notes` and :attr:`changes` afterwards."""

    def __init__(self, backend: Any, inspector: Inspector | None = None) -> None:
        self.inspector = inspector or inspector_for(backend)
        live = not backend.is_simulated
        self.docs = CommandDocs(backend.client() if live else None, backend.release.name)
        self.notes: dict[int, Annotation] = {}
        self.changes: list[EncodingChange] = []
        self._bodies: dict[str, str] = {}
        self._functions: dict[str, str] = {}
        self._counts: Counter[tuple[str, str]] = Counter()
        self._key_specs: dict[str, tuple[int, int, int] | None] = {}
        self._client = backend.client()
        self._lock = threading.Lock()

    @property
    def source(self) -> Source:
        """``read`` (live server) or ``modelled`` (embedded)."""
        return self.inspector.source

    def before(self, batch: Sequence[tuple[Any, ...]]) -> Any:
        plans = [self._plan(args) for args in batch]
        keys = [k for p in plans for k in p.keys]
        hint = next((self._hint(p.name) for p in plans if p.keys), None)
        probes = frozenset(x for p in plans if p.spec is not None for x in p.spec.probes)
        return plans, self.inspector.states(keys, hint), self.inspector.extras(probes)

    def after(self, token: Any, commands: Sequence[TracedCommand]) -> None:
        if token is None:
            return
        plans, before, extras = token
        after = dict(before)
        for op, keys, previous in self._writes(plans, before):
            after.update(self.inspector.states(keys, self._hint(op or ""), op, previous))
        batched = len(commands) > 1
        probe = Probe(before, after, extras, self.inspector.source, batched=batched)
        notes = []
        for plan, cmd in zip(plans, commands, strict=False):
            body = self._script_body(plan)
            notes.append(annotate(cmd.seq, plan.argv, cmd.reply, probe, self.docs, body, plan.keys))
        with self._lock:
            for note in notes:
                self.notes[note.seq] = note
            self._record_changes(plans, commands, before, after, batched)

    def _plan(self, args: tuple[Any, ...]) -> _Plan:
        head = _text(args[0]).split() if args else []
        argv = tuple(head + [_text(a) for a in args[1:]])
        name = command_name(argv)
        spec = cost_spec(name)
        self._remember_script(name, argv)
        keys = key_names(spec, argv) if spec is not None else self._server_keys(name, argv)
        return _Plan(argv, name, spec, tuple(keys))

    def _server_keys(self, name: str, argv: tuple[str, ...]) -> list[str]:
        """Keys of a command the cost table does not map: key specs, else the server's COMMAND INFO range."""
        found = command_keys(argv)
        if found is None:
            with self._lock:
                known = name in self._key_specs
                legacy = self._key_specs.get(name)
            if not known:
                legacy = _key_range(self._client, name)
                with self._lock:
                    self._key_specs[name] = legacy
            found = command_keys(argv, legacy)
        return [argv[p] for p in found.positions] if found is not None else []

    def _hint(self, name: str) -> str | None:
        info = self.docs.get(name) if name else None
        return GROUP_TYPES.get(info.doc.group) if info is not None else None

    def _writes(
        self, plans: list[_Plan], before: dict[str, KeyState]
    ) -> list[tuple[str | None, list[str], dict[str, str | None]]]:
        """Groups of written keys to probe after the round trip: (op for the model, keys, previous)."""
        groups: dict[str | None, tuple[list[str], dict[str, str | None]]] = {}
        for plan in plans:
            if plan.spec is not None and plan.spec.reads:
                continue
            op = None if plan.spec is not None and plan.spec.meta else plan.name
            keys, previous = groups.setdefault(op, ([], {}))
            keys.extend(plan.keys)
            if plan.spec is not None and plan.spec.fresh and plan.keys:
                previous[plan.keys[0]] = None
            if plan.name in _MOVES and len(plan.argv) > 2:
                src = before.get(plan.argv[_MOVES[plan.name][0]])
                previous[plan.argv[_MOVES[plan.name][1]]] = src.encoding if src is not None else None
        return [(op, keys, previous) for op, (keys, previous) in groups.items() if keys]

    def _remember_script(self, name: str, argv: tuple[str, ...]) -> None:
        body = argv[1] if name in ("EVAL", "EVAL_RO") and len(argv) > 1 else None
        body = argv[2] if name == "SCRIPT LOAD" and len(argv) > 2 else body
        if body is not None:
            with self._lock:
                self._bodies[hashlib.sha1(body.encode()).hexdigest()] = body
        if name == "FUNCTION LOAD" and len(argv) > 2:
            with self._lock:
                for fn in registered_functions(argv[-1]):
                    self._functions[fn] = argv[-1]

    def _script_body(self, plan: _Plan) -> str | None:
        if len(plan.argv) < 2:
            return None
        if plan.name in ("EVAL", "EVAL_RO"):
            return plan.argv[1]
        with self._lock:
            if plan.name in ("EVALSHA", "EVALSHA_RO"):
                sha = plan.argv[1].lower()
                return self._bodies.get(sha) or library_scripts().get(sha)
            if plan.name in ("FCALL", "FCALL_RO"):
                return self._functions.get(plan.argv[1])
        return None

    def _record_changes(
        self,
        plans: list[_Plan],
        commands: Sequence[TracedCommand],
        before: dict[str, KeyState],
        after: dict[str, KeyState],
        batched: bool,
    ) -> None:
        last: dict[str, tuple[_Plan, TracedCommand, int]] = {}
        for plan, cmd in zip(plans, commands, strict=False):
            for key in dict.fromkeys(plan.keys):
                self._counts[(key, plan.name)] += 1
                if plan.spec is None or not plan.spec.reads:
                    last[key] = (plan, cmd, self._counts[(key, plan.name)])
        for key, (plan, cmd, ordinal) in last.items():
            b, a = before.get(key), after.get(key)
            if b is None or a is None or not (b.exists and a.exists and b.type == a.type):
                continue
            if b.encoding and a.encoding and b.encoding != a.encoding:
                self.changes.append(EncodingChange(key, plan.name, ordinal, b, a, cmd.seq, cmd.step, batched))


def _key_range(client: Any, name: str) -> tuple[int, int, int] | None:
    """(first key, last key, step) from COMMAND INFO; None for commands with no or movable keys."""
    import redis

    try:
        reply = server_command(client, "COMMAND INFO", name.lower().replace(" ", "|"))
    except redis.ResponseError:
        return None
    entry = reply[0] if isinstance(reply, list) and reply and reply[0] else None
    if not entry or len(entry) < 6 or "movablekeys" in {str(f) for f in entry[2]} or not entry[3]:
        return None
    return int(entry[3]), int(entry[4]), int(entry[5])


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "backslashreplace")
    return str(value)
