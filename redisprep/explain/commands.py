"""The command table: summary, documented complexity, group and deprecation of every Redis command.

Generated from a live Redis 7's ``COMMAND DOCS`` by ``scripts/gen_command_table.py`` and shipped as
``explain/commands.json``; loaded on first use.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass

from redisprep.errors import RedisprepError, UnknownNameError
from redisprep.resources import package_data


@dataclass(frozen=True, slots=True)
class CommandDoc:
    """What Redis documents about one command."""

    name: str
    summary: str
    complexity: str | None
    group: str
    since: str
    deprecated_since: str | None = None
    replaced_by: str | None = None
    source: str | None = None
    """None for the shipped Redis 7.0 table; otherwise where a newer or module command's entry comes from."""


@functools.cache
def _table() -> tuple[str, dict[str, dict[str, object]]]:
    payload = json.loads(package_data("explain/commands.json").read_text(encoding="utf-8"))
    return str(payload["source"]), payload["commands"]


@functools.cache
def _beyond() -> dict[str, dict[str, object]]:
    """Newer (7.4+) and module (RedisBloom, RedisTimeSeries) commands the drills send where present."""
    payload = json.loads(package_data("explain/beyond70.json").read_text(encoding="utf-8"))
    return dict(payload["commands"])


def table_source() -> str:
    """Where the table came from (``COMMAND DOCS of Redis 7.0.15``)."""
    return _table()[0]


def command_doc(name: str) -> CommandDoc | None:
    """The documentation of ``name`` (``"ZADD"``, ``"xgroup create"``), or None if unknown."""
    key = " ".join(name.upper().split())
    entry = _table()[1].get(key) or _beyond().get(key)
    if entry is None:
        return None
    return CommandDoc(
        name=key,
        summary=str(entry.get("summary", "")),
        complexity=_opt(entry.get("complexity")),
        group=str(entry.get("group", "")),
        since=str(entry.get("since", "")),
        deprecated_since=_opt(entry.get("deprecated_since")),
        replaced_by=_opt(entry.get("replaced_by")),
        source=_opt(entry.get("source")),
    )


def _opt(value: object) -> str | None:
    return None if value is None else str(value)


def command_names() -> list[str]:
    """Every documented command name, subcommands included (``XGROUP CREATE``)."""
    return list(_table()[1])


@functools.cache
def container_names() -> frozenset[str]:
    """Commands that take a subcommand (``XGROUP``, ``OBJECT``, ``CLIENT``)."""
    return frozenset(name.split(" ", 1)[0] for name in _table()[1] if " " in name)


class UnknownCommandError(UnknownNameError):
    """A command name that is not in the command table; suggests the closest names."""

    def __init__(self, name: str, choices: list[str]) -> None:
        super().__init__("command", name, choices)
        if not self.suggestions:
            RedisprepError.__init__(self, f"unknown command {name!r} (not in the {table_source()})")


def resolve_name(argv: list[str]) -> str:
    """The documented name of the command ``argv`` sends: ``ZADD``, or ``XGROUP CREATE`` for containers.

    Raises:
        UnknownCommandError: Neither the name nor (for containers) the subcommand is documented.
    """
    if not argv:
        raise UnknownCommandError("", [])
    head = argv[0].upper()
    table = _table()[1]
    if head in container_names() and len(argv) > 1:
        full = f"{head} {argv[1].upper()}"
        if full in table:
            return full
        subs = [n for n in table if n.startswith(head + " ")]
        raise UnknownCommandError(full, subs)
    if head in table or head in _beyond():
        return head
    raise UnknownCommandError(head, command_names())
