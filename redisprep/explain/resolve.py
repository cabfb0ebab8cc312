"""Command names as the user typed them, resolved against the command table (or refused, with suggestions)."""

from __future__ import annotations

from redisprep.errors import RedisprepError, UnknownNameError
from redisprep.knowledge.commands import beyond_names, command_names, container_names, table_source


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
    table = command_names()
    if head in container_names() and len(argv) > 1:
        full = f"{head} {argv[1].upper()}"
        if full in set(table):
            return full
        subs = [n for n in table if n.startswith(head + " ")]
        raise UnknownCommandError(full, subs)
    if head in set(table) or head in beyond_names():
        return head
    raise UnknownCommandError(head, table)
