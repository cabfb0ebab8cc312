"""Which arguments of a command are key names, from Redis's own COMMAND INFO key specs.

``keyspecs.json`` is generated from a live Redis 7.0 by ``scripts/gen_key_specs.py``. Each command
lists key specs; a spec says where its keys begin (an index, or just after a keyword such as
``STREAMS``) and how many follow (a range, or a count read from an argument such as ``numkeys``).
:func:`command_keys` applies them the way the server does (``getKeysUsingKeySpecs`` in ``db.c``),
so one table covers every command, movable keys included.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from redisprep.knowledge._data import load


@dataclass(frozen=True, slots=True)
class CommandInfo:
    """What the server says about one command: its flags, ACL categories and key specs."""

    name: str
    """``GET``; ``XGROUP CREATE`` for a subcommand."""
    flags: frozenset[str]
    acl: frozenset[str]
    """ACL categories without the ``@`` (``dangerous``, ``keyspace``)."""
    specs: tuple[dict[str, Any], ...]
    """``{"begin": [...], "find": [...], "flags": [...]}`` as in ``keyspecs.json``."""


@dataclass(frozen=True, slots=True)
class CommandKeys:
    """The keys one call names."""

    info: CommandInfo
    positions: tuple[int, ...]
    """Indexes into the argument list (0 is the command name), in spec order, without repeats."""
    complete: bool
    """False when a spec cannot be resolved from the arguments alone (SORT's BY/GET, MIGRATE)."""


@functools.cache
def _table() -> tuple[str, dict[str, dict[str, Any]]]:
    payload = load("keyspecs.json")
    return str(payload["source"]), payload["commands"]


@functools.cache
def script_calls() -> frozenset[str]:
    """Commands that run a script or a function on the keys ``numkeys`` counts: EVAL, FCALL and
    their ``_RO``/``SHA`` forms (``@scripting`` with a ``keynum`` key spec, per COMMAND INFO)."""
    return frozenset(
        name
        for name, entry in _table()[1].items()
        if "scripting" in entry["acl"] and any(spec["find"][0] == "keynum" for spec in entry["keys"])
    )


def command_info(argv: Sequence[str]) -> CommandInfo | None:
    """The entry for the command ``argv`` sends (a container's subcommand when there is one).

    Returns:
        None when Redis 7.0 has no such command (a newer or a module command).
    """
    table = _table()[1]
    if not argv:
        return None
    head = str(argv[0]).upper()
    if len(argv) > 1 and f"{head} {str(argv[1]).upper()}" in table:
        head = f"{head} {str(argv[1]).upper()}"
    entry = table.get(head)
    if entry is None:
        return None
    return CommandInfo(head, frozenset(entry["flags"]), frozenset(entry["acl"]), tuple(entry["keys"]))


def command_keys(argv: Sequence[str], legacy: tuple[int, int, int] | None = None) -> CommandKeys | None:
    """The key positions of ``argv`` (``["ZUNIONSTORE", "dst", "2", "a", "b"]`` -> 1, 3, 4).

    The one key-position walk of redisprep: explain's cost model, the cluster simulation and the
    grader's guard all read keys here.

    Args:
        argv: The command line, name first.
        legacy: The server's ``(first key, last key, step)`` from COMMAND INFO, used only when the
            table does not know the command (a module command, a command newer than the table).

    Returns:
        None when the command is unknown to the table and no ``legacy`` range was given.
    """
    info = command_info(argv)
    if info is None:
        if legacy is None or not argv:
            return None
        name = str(argv[0]).upper()
        return CommandKeys(
            CommandInfo(name, frozenset(), frozenset(), ()), legacy_positions(legacy, len(argv)), True
        )
    positions: list[int] = []
    complete = True
    for spec in info.specs:
        found = spec_positions(spec, argv)
        if found is None:
            complete = False
            continue
        positions += [p for p in found if p not in positions]
        if "incomplete" in spec["flags"]:
            complete = False
    return CommandKeys(info, tuple(positions), complete)


def legacy_positions(legacy: tuple[int, int, int], argc: int) -> tuple[int, ...]:
    """Positions the pre-7.0 ``(first, last, step)`` triple selects in ``argc`` arguments.

    ``last`` counts from the end when negative (-1: the last argument); ``first`` 0 means no keys.
    """
    first, last, step = legacy
    if first <= 0:
        return ()
    stop = argc + last + 1 if last < 0 else min(argc, last + 1)
    return tuple(range(first, stop, max(step, 1)))


def spec_positions(spec: dict[str, Any], argv: Sequence[str]) -> list[int] | None:
    """The positions one key spec selects in ``argv``; None for an ``unknown`` spec."""
    argc = len(argv)
    begin, find = spec["begin"], spec["find"]
    if begin[0] == "index":
        first = int(begin[1])
    elif begin[0] == "keyword":
        found = _after_keyword(argv, str(begin[1]), int(begin[2]))
        if found is None:
            return []  # the optional keyword is absent: this spec names no key
        first = found
    else:
        return None
    if find[0] == "range":
        lastkey, step, limit = int(find[1]), max(int(find[2]), 1), int(find[3])
        if lastkey >= 0:
            last = first + lastkey
        elif limit <= 1:
            last = argc + lastkey
        else:
            last = first + ((argc - first) // limit + lastkey)
    elif find[0] == "keynum":
        index, firstkey, step = int(find[1]), int(find[2]), max(int(find[3]), 1)
        try:
            count = int(argv[first + index])
        except (IndexError, ValueError):
            return []  # the server rejects the call itself; nothing reaches a key
        first += firstkey
        last = first + (count - 1) * step
    else:
        return None
    return [i for i in range(first, last + 1, step) if 0 < i < argc]


def _after_keyword(argv: Sequence[str], keyword: str, startfrom: int) -> int | None:
    """Index just after ``keyword``, searched forward from ``startfrom`` (backward when negative)."""
    argc = len(argv)
    if startfrom >= 0:
        indexes = range(startfrom, argc - 1)
    else:
        indexes = range(argc + startfrom, 0, -1)
    for i in indexes:
        if 0 < i < argc and str(argv[i]).upper() == keyword.upper():
            return i + 1
    return None
