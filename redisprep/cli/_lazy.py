"""The root group imports a command's module only when that command runs (or its help is asked for).

``redisprep --help`` lists every command from a table of names and one-line summaries, so it does not
import the command modules and the core they pull in, nor have typer build every command's
parameters: that took 30 ms of a 95 ms start-up. ``tests/test_cli_lazy.py`` checks the table against
each command's own help, so a summary cannot drift from its docstring.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from difflib import get_close_matches
from typing import Any, NamedTuple

import typer
from typer._click.exceptions import UsageError
from typer._click.utils import make_default_short_help

from redisprep.cli._coerce import group_class, install


class Entry(NamedTuple):
    """Where a command lives, and the first paragraph of its help (what ``--help`` lists)."""

    module: str
    attr: str
    summary: str


def load(name: str, entry: Entry) -> Any:
    """The click command for ``entry``: a typer command function or a typer sub-app, built alone."""
    target = getattr(importlib.import_module(entry.module), entry.attr)
    if isinstance(target, typer.Typer):
        target.rich_markup_mode = None  # as the root's; see cli/main.py
        command = typer.main.get_command(target)
    else:
        single = typer.Typer(rich_markup_mode=None, add_completion=False)
        single.command(name)(target)
        command = typer.main.get_command(single)
    command.name = name
    install(command)
    return command


def lazy_group_class(entries: Mapping[str, Entry]) -> Any:
    """A group class listing ``entries`` in their order and loading each on first use."""

    class LazyGroup(group_class()):  # type: ignore[misc]
        def list_commands(self, ctx: Any) -> list[str]:
            return list(entries)

        def get_command(self, ctx: Any, cmd_name: str) -> Any:
            if cmd_name not in self.commands and cmd_name in entries:
                self.commands[cmd_name] = load(cmd_name, entries[cmd_name])
            return self.commands.get(cmd_name)

        def format_commands(self, ctx: Any, formatter: Any) -> None:
            names = self.list_commands(ctx)
            limit = formatter.width - 6 - max(len(name) for name in names)
            rows = [
                (
                    name,
                    self.commands[name].get_short_help_str(limit)
                    if name in self.commands
                    else make_default_short_help(entries[name].summary, limit),
                )
                for name in names
            ]
            with formatter.section("Commands"):
                formatter.write_dl(rows)

        def resolve_command(self, ctx: Any, args: list[str]) -> Any:
            try:
                return super().resolve_command(ctx, args)
            except UsageError as exc:
                matches = get_close_matches(args[0], list(entries)) if args else []
                if matches and "Did you mean" not in exc.message:
                    exc.message = f"{exc.message.rstrip('.')}. Did you mean {', '.join(map(repr, matches))}?"
                raise

    return LazyGroup
