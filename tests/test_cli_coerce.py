"""Options convert exactly as typer converts them, without pydantic for plain values.

For every parameter of every command, and values of every shape a command line or a default
gives, the fast converter returns what typer's own returns, or fails with the same message.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer._click.exceptions import BadParameter
from typer._coercion import build_runtime_param

from redisprep.cli._coerce import install
from redisprep.cli.main import app

LEADERBOARD = str(Path(__file__).parent.parent / "redisprep" / "drills" / "leaderboard" / "reference.py")

SAMPLES: list[Any] = [
    None,
    (),
    [],
    "",
    "x",
    "0",
    "1",
    "7",
    "-3",
    "007",
    " 5",
    "5 ",
    "1_000",
    "2.0",
    "0.5",
    "0.49",
    "-1.5",
    "10.25",
    "1.",
    ".5",
    "nan",
    "inf",
    "1e3",
    "99999999999999999999",
    "true",
    0,
    1,
    5,
    2.5,
    0.5,
    0.25,
    10.0,
    True,
    ("a", "b"),
    ("1", "2"),
    ("1", "x"),
    "2025-06-30",
    "practice",
    Path("practice"),
    "/no/such/folder",
    str(Path(__file__).parent),
    __file__,
    ("/no/such/folder",),
    (str(Path(__file__).parent),),
]


def _params() -> list[tuple[str, Any, Any]]:
    root = typer.main.get_command(app)
    out = []
    stack = [("redisprep", root)]
    while stack:
        path, cmd = stack.pop()
        ctx = cmd.make_context(path, [], resilient_parsing=True)
        for param in [*cmd.params, cmd.get_help_option(ctx)]:
            if param is not None:
                out.append((f"{path} {param.name}", param, ctx))
        if hasattr(cmd, "list_commands"):  # a group: its commands, each loaded as it would run
            stack.extend((f"{path} {n}", cmd.get_command(ctx, n)) for n in cmd.list_commands(ctx))
    return out


def _outcome(convert: Any, value: Any, param: Any, ctx: Any) -> tuple[str, Any]:
    try:
        return "value", convert.coerce(value, param=param, ctx=ctx)
    except BadParameter as exc:
        return "error", exc.format_message()
    except Exception as exc:  # typer's own converter fails on shapes a command line never gives
        return type(exc).__name__, str(exc)


@pytest.mark.parametrize(("name", "param", "ctx"), _params(), ids=lambda v: v if isinstance(v, str) else "")
def test_each_parameter_converts_like_typer(name: str, param: Any, ctx: Any) -> None:
    typer_own = build_runtime_param(param.type_descriptor)
    for value in SAMPLES:
        param._runtime_param = None
        install(ctx.command)
        if param._runtime_param is None:  # the help option: installed when first asked for
            ctx.command.get_help_option(ctx)
        fast = param._runtime_param
        assert fast is not None and type(fast).__name__ == "FastRuntimeParam", name
        assert _outcome(fast, value, param, ctx) == _outcome(typer_own, value, param, ctx), (name, value)


@pytest.mark.parametrize(
    "args",
    [
        ("quiz", "--limit", "1", "--now", "2025-03-01T09:00:00+00:00"),
        ("drill", "list"),
        ("quiz", "--help"),
        ("practice", "check", "leaderboard", "--impl", LEADERBOARD, "--no-cards", "--timeout", "5"),
    ],
)
def test_plain_commands_do_not_import_pydantic(args: tuple[str, ...], tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "redisprep", *args, "--store", str(tmp_path / "s.db")]
        if args[:2] == ("quiz", "--limit")
        else [sys.executable, "-X", "importtime", "-m", "redisprep", *args],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr[-500:]
    imported = {line.rsplit("|", 1)[1].strip() for line in proc.stderr.splitlines() if "|" in line}
    assert "redisprep.cli.main" in imported
    assert not {m for m in imported if m.split(".")[0] == "pydantic"}


def test_a_value_that_needs_typer_still_gets_typers_message() -> None:
    for args, message in (
        (["quiz", "--limit", "0"], "Input should be greater than or equal to 1"),
        (["bench", "--requests", "many"], "Input should be a valid integer"),
        (["quiz", "--deck-dir", "/no/such/folder"], "dir '/no/such/folder' does not exist"),
    ):
        proc = subprocess.run(
            [sys.executable, "-m", "redisprep", *args], capture_output=True, text=True, timeout=60
        )
        assert proc.returncode == 2
        assert proc.stderr.startswith("error: Invalid value for") and message in proc.stderr
