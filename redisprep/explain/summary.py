"""Condense annotated commands: one row per repeated command of a step, and totals for a whole run."""

from __future__ import annotations

import re
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from redisprep.explain.annotate import Annotation, ScriptCost
from redisprep.explain.keystate import human_bytes
from redisprep.explain.observer import EncodingChange
from redisprep.explain.tracing import TracedCommand
from redisprep.knowledge.keyspecs import script_calls

_BODIES = frozenset({"EVAL", "EVAL_RO", "SCRIPT LOAD", "FUNCTION LOAD"})
#: The prefix of every key a run writes (``redisprep:<run id>:``), dropped when showing keys.
RUN_PREFIX = re.compile(r"redisprep:r[0-9a-f]+-[0-9a-f]+:")


def shorten(argv: Sequence[str], width: int = 56) -> str:
    """Arguments as one line: the run's key prefix dropped, a script body summarised, cut to ``width``."""
    words = [RUN_PREFIX.sub("", a) for a in argv]
    pair = " ".join(words[:2]).upper()
    at = 2 if pair in ("SCRIPT LOAD", "FUNCTION LOAD") else 1
    if words and (words[0].upper() in _BODIES or pair in _BODIES) and len(words) > at:
        lines = len(words[at].strip().splitlines())
        words[at] = f"<script, {lines} line{'s' if lines != 1 else ''}>"
    text = " ".join(" ".join(w.split()) for w in words)
    return text if len(text) <= width else text[: width - 1] + "…"


@dataclass(frozen=True, slots=True)
class LetterRange:
    """One letter over all calls of a row: its smallest and largest value, and what it means."""

    name: str
    low: int | None
    high: int | None
    meaning: str

    def text(self) -> str:
        """``N=1000``, ``M=1..10`` or ``N=?``."""
        if self.low is None or self.high is None:
            return f"{self.name}=?"
        return f"{self.name}={self.low}" if self.low == self.high else f"{self.name}={self.low}..{self.high}"


@dataclass(frozen=True, slots=True)
class Row:
    """The calls of one command (for one operation) within a step, collapsed."""

    operation: str | None
    name: str
    calls: int
    round_trips: int
    example: tuple[str, ...]
    """The arguments of the first call."""
    kinds: tuple[str, ...]
    """``command``, ``pipeline``, ``transaction`` (as sent)."""
    letters: tuple[LetterRange, ...]
    work: tuple[float, float] | None
    encodings: tuple[str, ...]
    """Encodings the first key went through, in order (``listpack``, ``skiplist``)."""
    median_ms: float
    max_ms: float
    complexity: str | None
    deprecation: str | None
    script: tuple[ScriptCost, ...]
    errors: int


def step_rows(commands: Sequence[TracedCommand], notes: Mapping[int, Annotation]) -> list[Row]:
    """Group a step's commands by (operation, command, script) in order of first appearance."""
    groups: dict[tuple[str | None, str, str], list[tuple[TracedCommand, Annotation | None]]] = {}
    for cmd in commands:
        note = notes.get(cmd.seq)
        name = note.name if note else cmd.name
        script = cmd.argv[1] if name in script_calls() and len(cmd.argv) > 1 else ""
        groups.setdefault((cmd.operation, name, script), []).append((cmd, note))
    return [_row(op, name, members) for (op, name, _), members in groups.items()]


def _row(op: str | None, name: str, members: list[tuple[TracedCommand, Annotation | None]]) -> Row:
    cmds = [c for c, _ in members]
    notes = [n for _, n in members if n is not None]
    first = notes[0] if notes else None
    letters = []
    for i, letter in enumerate(first.letters if first else ()):
        values = [n.letters[i].value for n in notes if len(n.letters) > i]
        known = [v for v in values if v is not None]
        complete = len(known) == len(values)
        letters.append(
            LetterRange(
                letter.name,
                min(known) if known and complete else None,
                max(known) if known and complete else None,
                letter.meaning,
            )
        )
    works = [n.work for n in notes if n.work is not None]
    encodings: list[str] = []
    for n in notes:
        if n.keys:
            for state in (n.keys[0].before, n.keys[0].after):
                if state.encoding and (not encodings or encodings[-1] != state.encoding):
                    encodings.append(state.encoding)
    return Row(
        operation=op,
        name=name,
        calls=len(cmds),
        round_trips=len({c.round_trip for c in cmds}),
        example=tuple(cmds[0].argv),
        kinds=tuple(dict.fromkeys(c.kind for c in cmds)),
        letters=tuple(letters),
        work=(min(works), max(works)) if works else None,
        encodings=tuple(encodings),
        median_ms=statistics.median(c.duration_ms for c in cmds),
        max_ms=max(c.duration_ms for c in cmds),
        complexity=first.complexity if first else None,
        deprecation=first.deprecation if first else None,
        script=first.script if first else (),
        errors=sum(1 for c in cmds if c.error),
    )


@dataclass(frozen=True, slots=True)
class RunSummary:
    """What a whole traced run cost."""

    commands: int
    round_trips: int
    costliest: Annotation | None
    """The call with the largest work (its documented Big-O with N and M filled in)."""
    costliest_command: TracedCommand | None
    slowest: TracedCommand | None
    """The call with the longest measured round trip."""
    changes: tuple[EncodingChange, ...]
    deprecated: tuple[tuple[str, str, int], ...]
    """(command, deprecation note, calls) for each deprecated command used."""
    source: str


def summarize(
    commands: Sequence[TracedCommand],
    notes: Mapping[int, Annotation],
    changes: Sequence[EncodingChange],
    source: str,
) -> RunSummary:
    """Totals, the costliest and slowest commands, encoding changes and deprecated commands of a run."""
    scored = [(notes[c.seq], c) for c in commands if c.seq in notes and notes[c.seq].work is not None]
    costliest = max(scored, key=lambda p: (p[0].work or 0.0, p[1].duration_ms), default=None)
    deprecated: dict[str, tuple[str, int]] = {}
    for c in commands:
        note = notes.get(c.seq)
        if note is not None and note.deprecation:
            text, count = deprecated.get(note.name, (note.deprecation, 0))
            deprecated[note.name] = (text, count + 1)
    return RunSummary(
        commands=len(commands),
        round_trips=len({c.round_trip for c in commands}),
        costliest=costliest[0] if costliest else None,
        costliest_command=costliest[1] if costliest else None,
        slowest=max(commands, key=lambda c: c.duration_ms, default=None),
        changes=tuple(changes),
        deprecated=tuple((name, text, n) for name, (text, n) in deprecated.items()),
        source=source,
    )


def ordinal(n: int) -> str:
    """``1st``, ``2nd``, ``129th``."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def change_sentence(change: EncodingChange) -> str:
    """``the 129th ZADD to lb turned listpack into skiplist: memory x7.5 (2.0 KB -> 15.4 KB)``."""

    b, a = change.before, change.after
    who = f"the {ordinal(change.ordinal)} {change.command}"
    if change.batched:
        who += " (in a batch: state read around the whole round trip)"
    text = f"{who} to {change.key} turned {b.encoding} into {a.encoding}"
    ratio = change.memory_ratio
    if ratio is not None and b.memory is not None and a.memory is not None:
        text += f": memory x{ratio:.1f} ({human_bytes(b.memory)} -> {human_bytes(a.memory)})"
    return text
