"""The candidate's data model as redis-cli command templates, rendered into the run's namespace.

A template names keys only through placeholders (``ZINCRBY {board} {points} {player}``, with
``board`` declared under ``keys:``); every key position of every rendered command (read from the
command table's key specs) must hold a key rendered from a placeholder, so a literal key is refused
before anything is sent. This is a courtesy, not the safety: the commands only ever run on an
embedded server the interview starts for itself (:mod:`redisprep.interview.runner`).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass

from redisprep.knowledge.keyspecs import command_info, command_keys

PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
#: Commands per operation, and characters per template: a design, not a program.
MAX_COMMANDS = 10
MAX_TEMPLATE = 2000


@dataclass(frozen=True, slots=True)
class Design:
    """Key patterns and, per operation, the command templates (each already split like redis-cli)."""

    keys: tuple[tuple[str, str], ...]
    operations: tuple[tuple[str, tuple[tuple[str, ...], ...]], ...]

    def templates(self, op: str) -> tuple[tuple[str, ...], ...]:
        """The split commands of operation ``op`` (empty when the design lacks it)."""
        return dict(self.operations).get(op, ())

    def commands(self, op: str) -> tuple[str, ...]:
        """The command names ``op`` sends, upper-case."""
        return tuple(t[0].upper() for t in self.templates(op))


def split_template(text: str) -> tuple[str, ...]:
    """Split one template like redis-cli.

    Raises:
        ValueError: Empty, too long, or unbalanced quotes.
    """
    if len(text) > MAX_TEMPLATE:
        raise ValueError(f"longer than {MAX_TEMPLATE} characters")
    argv = tuple(shlex.split(text))
    if not argv:
        raise ValueError("empty command")
    return argv


def template_problems(design: Design, op: str, params: tuple[str, ...]) -> list[str]:
    """What is wrong with operation ``op`` before it runs: unknown commands or placeholders."""
    problems = []
    keys = dict(design.keys)
    for argv in design.templates(op):
        if command_info(list(argv)) is None:
            problems.append(f"{op}: {argv[0]!r} is not a Redis 7.0 command")
        for token in argv:
            for name in PLACEHOLDER.findall(token):
                if name not in keys and name not in params:
                    known = ", ".join([*keys, *params])
                    problems.append(f"{op}: unknown placeholder {{{name}}} (known here: {known})")
    used = {n for argv in design.templates(op) for t in argv for n in PLACEHOLDER.findall(t) if n in keys}
    for name in sorted(used):
        for inner in PLACEHOLDER.findall(keys[name]):
            if inner not in params:
                problems.append(f"{op}: key {name} uses {{{inner}}}, which is not a parameter of {op}")
    return problems


def render(design: Design, op: str, params: Mapping[str, str], prefix: str) -> list[list[str]]:
    """The commands of ``op`` with keys under ``prefix`` and parameters filled in."""
    keys = dict(design.keys)

    def fill(token: str) -> str:
        def one(m: re.Match[str]) -> str:
            name = m.group(1)
            if name in keys:
                return prefix + PLACEHOLDER.sub(lambda k: params.get(k.group(1), k.group(0)), keys[name])
            return params.get(name, m.group(0))

        return PLACEHOLDER.sub(one, token)

    return [[fill(t) for t in argv] for argv in design.templates(op)]


def foreign_key(argv: list[str], prefix: str) -> str | None:
    """Why ``argv`` may not be sent: a key outside ``prefix``, or keys the table cannot locate."""
    found = command_keys(argv)
    if found is None:
        return f"{argv[0]} is not a Redis 7.0 command"
    if not found.complete:
        return f"{argv[0]} here names keys that cannot be located from its arguments"
    for pos in found.positions:
        if pos < len(argv) and not argv[pos].startswith(prefix):
            return f"{argv[0]}: literal key {argv[pos]!r}; name keys through keys: placeholders"
    return None
