"""Annotate one command: its documented complexity with N and M filled in, and its keys before and after."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from redisprep.explain.costs import cost_spec
from redisprep.explain.costs.costspec import CostSpec
from redisprep.explain.docs import CommandDocs
from redisprep.explain.formula import evaluate, filled
from redisprep.explain.keystate import GROUP_TYPES, KeyState, Source
from redisprep.explain.measures import Call
from redisprep.explain.resolve import UnknownCommandError, resolve_name
from redisprep.explain.script import read_script
from redisprep.knowledge.commands import container_names
from redisprep.knowledge.keyspecs import command_keys, script_calls


@dataclass(frozen=True, slots=True)
class Letter:
    """One letter of a complexity, measured for this call."""

    name: str
    value: int | None
    """None when it cannot be observed (for example, inside a script, or a write not run)."""
    meaning: str


@dataclass(frozen=True, slots=True)
class KeyChange:
    """A key the command named, just before and just after it."""

    before: KeyState
    after: KeyState

    @property
    def key(self) -> str:
        return self.before.key

    @property
    def converted(self) -> bool:
        """The value kept its type but changed encoding (``listpack`` -> ``skiplist``)."""
        b, a = self.before, self.after
        return (
            b.exists and a.exists and b.type == a.type and None not in (b.encoding, a.encoding)
        ) and b.encoding != a.encoding


@dataclass(frozen=True, slots=True)
class ScriptCost:
    """A command a Lua script calls, found by reading the script."""

    command: str | None
    """None when the script builds the command name at run time."""
    line: int
    complexity: str | None
    letters: tuple[Letter, ...]
    work: float | None


@dataclass(frozen=True, slots=True)
class Annotation:
    """Everything explain says about one command."""

    seq: int
    name: str
    argv: tuple[str, ...]
    summary: str | None
    complexity: str | None
    """Exactly as the documentation gives it."""
    doc_source: str | None
    deprecation: str | None
    letters: tuple[Letter, ...]
    formula: str | None
    """The Big-O with this call's letters (``log(N)+M``); None when not mapped."""
    work: float | None
    """The formula's value (an order of magnitude, constants ignored)."""
    work_note: str | None
    """How :attr:`work` was found when it is not a formula (scripts: the calls read in the script)."""
    keys: tuple[KeyChange, ...]
    script: tuple[ScriptCost, ...]
    batched: bool
    """State was probed around a whole pipeline or transaction, not this command alone."""
    source: Source

    @property
    def filled_formula(self) -> str | None:
        """``log2(1000)+10``."""
        if self.formula is None:
            return None
        return filled(self.formula, {x.name: x.value for x in self.letters})


def command_name(argv: Sequence[str]) -> str:
    """The documented name (``XGROUP CREATE``), or the first word in upper case when undocumented."""
    try:
        return resolve_name(list(argv))
    except UnknownCommandError:
        return argv[0].upper() if argv else "?"


def key_names(spec: CostSpec | None, argv: Sequence[str]) -> list[str]:
    """The key names ``argv`` sends, by the key specs; none for commands the cost table does not map."""
    found = command_keys(argv) if spec is not None else None
    return [argv[p] for p in found.positions] if found is not None else []


@dataclass(frozen=True, slots=True)
class Probe:
    """The key states and figures around one command, and whether it ran."""

    before: Mapping[str, KeyState]
    after: Mapping[str, KeyState]
    extras: Mapping[str, int]
    source: Source
    executed: bool = True
    batched: bool = False


def annotate(
    seq: int,
    argv: Sequence[str],
    reply: Any,
    probe: Probe,
    docs: CommandDocs,
    script_body: str | None = None,
    keys: Sequence[str] | None = None,
) -> Annotation:
    """Build the annotation of one command from the probes taken around it.

    ``keys`` overrides the key names the cost table gives (for commands it does not map).
    """
    name = command_name(argv)
    spec, info = cost_spec(name), docs.get(name)
    doc = info.doc if info is not None else None
    hint = GROUP_TYPES.get(doc.group) if doc is not None else None
    call = Call(tuple(argv), reply, probe.before, probe.after, probe.extras, hint, probe.executed)
    letters = tuple(Letter(k, m.value(call), m.text(call)) for k, m in (spec.vars.items() if spec else ()))
    formula, work = (
        (spec.work, evaluate(spec.work, {x.name: x.value for x in letters})) if spec else (None, None)
    )
    names = key_names(spec, argv) if keys is None else keys
    changes = tuple(
        KeyChange(probe.before[k], probe.after.get(k, probe.before[k]))
        for k in dict.fromkeys(names)
        if k in probe.before
    )
    script: tuple[ScriptCost, ...] = ()
    work_note = None
    if name in script_calls() and script_body is not None and spec is not None:
        script = script_costs(script_body, argv, spec, probe, docs)
        known = [s.work for s in script if s.work is not None]
        formula, work = None, sum(known) if known else None
        work_note = "at least the sum of the calls found in the script (each counted once)"
    return Annotation(
        seq=seq,
        name=name,
        argv=tuple(argv),
        summary=doc.summary if doc else None,
        complexity=doc.complexity if doc else None,
        doc_source=info.source if info else None,
        deprecation=info.deprecation if info else None,
        letters=letters,
        formula=formula,
        work=work,
        work_note=work_note,
        keys=changes,
        script=script,
        batched=probe.batched,
        source=probe.source,
    )


def script_costs(
    body: str, argv: Sequence[str], spec: CostSpec, probe: Probe, docs: CommandDocs
) -> tuple[ScriptCost, ...]:
    """Cost each call a script makes, with N taken from its KEYS as they were before the script ran."""
    found = command_keys(argv)
    positions = found.positions if found is not None else ()
    keys = [argv[p] for p in positions]
    rest = list(argv[positions[-1] + 1 :]) if positions else list(argv[3:])
    out = []
    for call in read_script(body, container_names()):
        if call.command is None:
            out.append(ScriptCost(None, call.line, None, (), None))
            continue
        inner = call.resolve(keys, rest)
        inner_spec, info = cost_spec(call.command), docs.get(call.command)
        hint = GROUP_TYPES.get(info.doc.group) if info else None
        fake = Call(inner, None, probe.before, {}, probe.extras, hint, executed=False)
        letters = tuple(
            Letter(k, m.value(fake), m.text(fake)) for k, m in (inner_spec.vars.items() if inner_spec else ())
        )
        work = evaluate(inner_spec.work, {x.name: x.value for x in letters}) if inner_spec else None
        out.append(ScriptCost(call.command, call.line, info.doc.complexity if info else None, letters, work))
    return tuple(out)
