"""The command table: summary, documented complexity, group and deprecation of every Redis command.

Generated from a live Redis 7's ``COMMAND DOCS`` by ``scripts/gen_command_table.py`` and shipped as
``explain/commands.json``; loaded on first use.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass

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


@functools.cache
def _table() -> tuple[str, dict[str, dict[str, object]]]:
    payload = json.loads(package_data("explain/commands.json").read_text(encoding="utf-8"))
    return str(payload["source"]), payload["commands"]


def table_source() -> str:
    """Where the table came from (``COMMAND DOCS of Redis 7.0.15``)."""
    return _table()[0]


def command_doc(name: str) -> CommandDoc | None:
    """The documentation of ``name`` (``"ZADD"``, ``"xgroup create"``), or None if unknown."""
    key = " ".join(name.upper().split())
    entry = _table()[1].get(key)
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
    )


def _opt(value: object) -> str | None:
    return None if value is None else str(value)
