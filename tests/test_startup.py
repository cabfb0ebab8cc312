"""Start-up stays light: --help and --version import none of the heavy libraries."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("redis", "fakeredis", "yaml", "fsrs", "hdrh")


def _imported(*args: str) -> set[str]:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "redisprep", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr[-500:]
    names = set()
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip())
    return names


@pytest.mark.parametrize(
    "args",
    [
        ("--version",),
        ("--help",),
        ("drill", "--help"),
        ("quiz", "--help"),
        ("quiz", "stats", "--help"),
        ("size", "--help"),
    ],
)
def test_no_heavy_imports(args: tuple[str, ...]) -> None:
    imported = _imported(*args)
    assert "redisprep" in imported  # the measurement itself works
    assert not {m for m in imported if m.split(".")[0] in HEAVY}


def test_version_is_answered_before_typer_and_rich_load() -> None:
    imported = _imported("--version")
    assert not {m for m in imported if m.split(".")[0] in ("typer", "rich")}


def test_one_drill_imports_its_own_code_and_no_other_drills() -> None:
    import pkgutil

    import redisprep.drills

    drill_packages = {m.name for m in pkgutil.iter_modules(redisprep.drills.__path__) if m.ispkg}
    assert {"leaderboard", "lock", "geo"} <= drill_packages  # the premise: the listing finds drills
    imported = _imported("drill", "leaderboard", "--quiet")
    loaded = {m.split(".")[2] for m in imported if m.startswith("redisprep.drills.") and m.count(".") >= 2}
    assert loaded & drill_packages == {"leaderboard"}


_MODULES_AFTER = """
import sys
from redisprep.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(" ".join(sorted(sys.modules)))
"""


def _loaded(*args: str) -> set[str]:
    """Every module loaded by ``redisprep ARGS`` (importlib.import_module leaves no -X importtime line)."""
    proc = subprocess.run(
        [sys.executable, "-c", _MODULES_AFTER, *args], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr[-500:]
    return set(proc.stdout.splitlines()[-1].split())


def test_help_lists_every_command_without_importing_one() -> None:
    from redisprep.cli.main import COMMANDS

    imported = _loaded("--help")
    assert "redisprep.cli.main" in imported  # the measurement itself works
    assert not {e.module for e in COMMANDS.values()} & imported


def test_a_command_imports_its_own_module_and_no_other_command() -> None:
    from redisprep.cli.main import COMMANDS

    imported = _loaded("size", "--help")
    modules = {e.module for e in COMMANDS.values()}
    assert modules & imported == {"redisprep.cli.size"}
