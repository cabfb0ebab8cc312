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
