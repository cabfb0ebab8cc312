"""What a newcomer types, at 80 columns, and what they should see (issue 17)."""

from __future__ import annotations

import io
import shutil
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner

from redisprep.cli import app
from redisprep.cli._context import AppContext

ROOT = Path(__file__).resolve().parent.parent


def typed(*args: str, env: dict[str, str] | None = None) -> Any:
    """Run ``redisprep ARGS`` as typed in an 80-column terminal: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    obj = AppContext(
        console=Console(file=out, width=80, color_system=None, highlight=False),
        err_console=Console(file=err, width=80, color_system=None, highlight=False),
    )
    result = CliRunner().invoke(app, list(args), obj=obj, env={"COLUMNS": "80", **(env or {})})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, out.getvalue() + result.stdout, err.getvalue() + result.stderr


def test_explain_shows_simple_string_replies_as_redis_sends_them() -> None:
    for command, reply in (("SET a b", "OK"), ("PING", "PONG"), ("MSET a 1 b 2", "OK")):
        code, out, err = typed("explain", command)
        assert code == 0, err
        (line,) = [ln for ln in out.splitlines() if " reply " in ln]
        assert line.split("reply", 1)[1].strip(" │") == reply, line
    code, out, _ = typed("explain", "SET a b GET")
    assert code == 0 and "(integer)" not in out


def test_practice_check_works_inside_the_folder_start_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = typed("practice", "start", "leaderboard", "mine")
    assert code == 0, err
    shutil.copy(ROOT / "redisprep" / "patterns" / "leaderboard.py", tmp_path / "mine" / "leaderboard.py")
    monkeypatch.chdir(tmp_path / "mine")
    code, out, err = typed("practice", "check", "leaderboard")
    assert code == 0, err + out
