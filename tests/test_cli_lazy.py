"""The root help's one-line summaries are each command's own, and every listed command runs."""

from __future__ import annotations

import importlib

import pytest
import typer
from typer.testing import CliRunner

from redisprep.cli.main import COMMANDS, app


def _own_command(name: str) -> typer.main.TyperCommand:
    entry = COMMANDS[name]
    target = getattr(importlib.import_module(entry.module), entry.attr)
    if isinstance(target, typer.Typer):
        return typer.main.get_command(target)
    single = typer.Typer()
    single.command(name)(target)
    return typer.main.get_command(single)


@pytest.mark.parametrize("name", list(COMMANDS))
@pytest.mark.parametrize("width", [30, 60, 120, 400])
def test_each_summary_is_the_commands_own_help_at_any_width(name: str, width: int) -> None:
    from typer._click.utils import make_default_short_help

    own = _own_command(name)
    assert own.get_short_help_str(width) == make_default_short_help(COMMANDS[name].summary, width)


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_listed_command_shows_its_own_help(name: str) -> None:
    result = CliRunner().invoke(app, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert f"Usage: redisprep {name} " in result.output
    assert " ".join(COMMANDS[name].summary.split()[:4]) in " ".join(result.output.split())


def test_the_root_help_lists_the_commands_in_table_order_with_their_summaries() -> None:
    result = CliRunner().invoke(app, ["--help"], terminal_width=200)
    assert result.exit_code == 0
    listed = result.output.split("Commands:")[1].split("\n")
    rows = [line.split(None, 1) for line in listed if line.strip()]
    assert [r[0] for r in rows] == list(COMMANDS)
    for name, summary in rows:
        assert " ".join(COMMANDS[name].summary.split()).startswith(summary.rstrip(".").rstrip())


def test_a_mistyped_command_is_one_error_with_a_suggestion() -> None:
    result = CliRunner().invoke(app, ["drlil"])
    assert result.exit_code == 2
    assert "No such command 'drlil'. Did you mean 'drill'?" in result.output
