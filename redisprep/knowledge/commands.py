"""The command table: summary, documented complexity, group and deprecation of every Redis command.

Generated from a live Redis 7's ``COMMAND DOCS`` by ``scripts/gen_command_table.py`` and shipped as
``knowledge/data/commands.json``; loaded on first use. Names it does not know give None.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from redisprep.knowledge._data import load


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
    payload = load("commands.json")
    return str(payload["source"]), payload["commands"]


@functools.cache
def _beyond() -> dict[str, dict[str, object]]:
    """Newer (7.4+) and module (RedisBloom, RedisTimeSeries) commands the drills send where present."""
    payload = load("beyond70.json")
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


def beyond_names() -> frozenset[str]:
    """Newer and module commands documented outside the Redis 7.0 table (``beyond70.json``)."""
    return frozenset(_beyond())
