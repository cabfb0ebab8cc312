"""Drill discovery: a package plus a data folder of the same name; strays and broken packages are errors.

Each case builds a data folder (a copy of the shipped drills and decks) and, where it needs one, a
drill package in a temporary folder added to ``redisprep.drills.__path__``; the CLI must answer with
one ``error:`` line naming the file, exit 3.
"""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import redisprep.drills
from redisprep import resources
from redisprep.errors import ExitCode


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A copy of the shipped data (drills and decks) to add strays to."""
    root = tmp_path / "data"
    shutil.copytree(resources.drills_dir(), root / "drills")
    shutil.copytree(resources.flashcards_dir(), root / "flashcards")
    return root


@pytest.fixture
def packages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder searched for drill packages after the shipped ones."""
    folder = tmp_path / "packages"
    folder.mkdir()
    monkeypatch.setattr(redisprep.drills, "__path__", [*redisprep.drills.__path__, str(folder)])
    yield folder
    for name in [m for m in sys.modules if m.startswith("redisprep.drills.stray")]:
        del sys.modules[name]


def _data_folder(data: Path, name: str) -> Path:
    folder = data / "drills" / name
    folder.mkdir()
    text = (data / "drills" / "leaderboard" / "drill.yaml").read_text()
    path = folder / "drill.yaml"
    path.write_text(
        text.replace("name: leaderboard", f"name: {name}").replace("order: 10", "deck: leaderboard")
    )
    return path


def _one_error(result: Any) -> str:
    assert result.exit_code == ExitCode.DATA, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


def test_a_data_folder_without_its_package_is_named(data: Path, invoke: Any) -> None:
    path = _data_folder(data, "stray-data")
    line = _one_error(invoke("--data-dir", str(data), "drill", "list"))
    assert f"error: {path}: drill 'stray-data' has no package redisprep/drills/stray_data/" == line


def test_a_package_without_its_data_folder_is_named(data: Path, packages: Path, invoke: Any) -> None:
    (packages / "stray_code").mkdir()
    (packages / "stray_code" / "__init__.py").write_text('"""A drill someone forgot to give data."""\n')
    line = _one_error(invoke("--data-dir", str(data), "drill", "list"))
    assert str(packages / "stray_code" / "__init__.py") in line
    assert "has no data folder drills/stray-code/drill.yaml" in line


def test_a_package_that_fails_to_import_names_its_file_and_line(
    data: Path, packages: Path, invoke: Any
) -> None:
    _data_folder(data, "stray-broken")
    (packages / "stray_broken").mkdir()
    (packages / "stray_broken" / "__init__.py").write_text('"""Broken."""\n\nfrom .steps import STEPS\n')
    (packages / "stray_broken" / "steps.py").write_text('"""Steps."""\n\nSTEPS = (1 / 0,)\n')
    assert (
        "stray-broken" in invoke("--data-dir", str(data), "drill", "list").stdout
    )  # listing imports nothing
    line = _one_error(invoke("--data-dir", str(data), "drill", "stray-broken"))
    steps = packages / "stray_broken" / "steps.py"
    assert line == f"error: {steps}:3: cannot load drill 'stray-broken': ZeroDivisionError: division by zero"


def test_a_package_without_drill_is_named(data: Path, packages: Path, invoke: Any) -> None:
    _data_folder(data, "stray-empty")
    (packages / "stray_empty").mkdir()
    (packages / "stray_empty" / "__init__.py").write_text('"""No DRILL here."""\n')
    line = _one_error(invoke("--data-dir", str(data), "drill", "stray-empty"))
    assert line.endswith("__init__.py: drill 'stray-empty' must set DRILL = Drill(...)")


def test_a_check_named_for_another_drill_is_refused(data: Path, packages: Path, invoke: Any) -> None:
    _data_folder(data, "stray-prefix")
    (packages / "stray_prefix").mkdir()
    (packages / "stray_prefix" / "__init__.py").write_text(
        '''"""A drill whose check is named for another drill."""

from redisprep.drills.check_helpers import check, verdict
from redisprep.drills.definition import Drill


@check("leaderboard.borrowed", "a check named for another drill")
def borrowed(ctx, impl):
    return verdict(True, "ok")


DRILL = Drill(name="stray-prefix", steps=(), checks=(borrowed,), reference="x", interface=())
'''
    )
    line = _one_error(invoke("--data-dir", str(data), "drill", "stray-prefix"))
    assert line.endswith("__init__.py: check 'leaderboard.borrowed' must be named 'stray-prefix.<id>'")


def test_a_missing_deck_is_named(data: Path, invoke: Any) -> None:
    path = data / "drills" / "geo" / "drill.yaml"
    path.write_text(path.read_text().replace("deck: proximity", "deck: no-such-deck"))
    line = _one_error(invoke("--data-dir", str(data), "drill", "list"))
    assert line.startswith(f"error: {path}: deck 'no-such-deck' not found")


def test_order_comes_from_the_data(data: Path, invoke: Any) -> None:
    path = data / "drills" / "redirection" / "drill.yaml"
    path.write_text(path.read_text().replace("order: 180", "order: 1"))
    rows = invoke("--data-dir", str(data), "drill", "list").stdout
    assert rows.index("redirection") < rows.index("hot-key")


def test_listing_imports_no_drill_code() -> None:
    code = (
        "import sys; from redisprep.drills.catalog import load_metas; load_metas(); "
        "print(sorted(m for m in sys.modules if m.startswith('redisprep.drills.')))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    for name in ("leaderboard", "rate_limit", "geo", "reference", "steps", "checks"):
        assert f".{name}'" not in loaded, loaded


def test_a_drill_takes_its_name_and_reference_from_where_it_lives() -> None:
    from redisprep.drills import get_drill

    entry = get_drill("rate-limit")
    assert entry.drill.name == "rate-limit"  # the data folder's name, not the package's rate_limit
    assert entry.drill.reference == "redisprep.drills.rate_limit.reference"
    reference = importlib.import_module(entry.drill.reference)
    assert all(callable(getattr(reference, name, None)) for name in entry.drill.interface)


def test_a_drill_that_names_another_drill_is_refused(data: Path, packages: Path, invoke: Any) -> None:
    _data_folder(data, "stray-named")
    (packages / "stray_named").mkdir()
    (packages / "stray_named" / "__init__.py").write_text(
        '"""Named for another."""\n\nfrom redisprep.drills.definition import Drill\n\n'
        'DRILL = Drill(name="leaderboard", steps=(), checks=(), interface=())\n'
    )
    line = _one_error(invoke("--data-dir", str(data), "drill", "stray-named"))
    assert line.endswith("__init__.py: DRILL is named 'leaderboard', its data folder 'stray-named'")
