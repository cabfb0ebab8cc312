"""The drill catalog: every drill has valid metadata; broken metadata is reported as file:line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from redisprep import resources
from redisprep.drills import load_catalog
from redisprep.drills.catalog import GROUP_TITLES, load_meta
from redisprep.errors import DataFormatError, ExitCode

FIXTURES = Path(__file__).parent / "fixtures"


def test_every_drill_module_has_metadata_and_every_folder_a_module() -> None:
    entries = load_catalog()
    folders = {p.name for p in resources.drills_dir().iterdir() if (p / "drill.yaml").is_file()}
    assert folders == {e.name for e in entries}
    for e in entries:
        assert e.meta.group in GROUP_TITLES
        assert e.meta.questions, f"{e.name} has no interview questions"
        assert e.drill.steps and e.drill.checks
        assert len({c.id for c in e.drill.checks}) == len(e.drill.checks)
        assert all(c.id.startswith(e.name + ".") for c in e.drill.checks)


@pytest.mark.parametrize(
    ("fixture", "line", "problem"),
    [
        ("bad_syntax", 4, "YAML syntax"),
        ("missing_field", 1, "missing field 'title'"),
        ("bad_group", 3, "group must be one of"),  # the line of the bad value
    ],
)
def test_broken_metadata_names_file_and_line(fixture: str, line: int, problem: str) -> None:
    path = FIXTURES / fixture / "drills" / "leaderboard" / "drill.yaml"
    with pytest.raises(DataFormatError) as info:
        load_meta(path, "leaderboard")
    assert str(info.value).startswith(f"{path}:{line}: ")
    assert problem in str(info.value)
    assert info.value.exit_code == ExitCode.DATA


def test_cli_reports_broken_data_dir_with_exit_3(invoke: Any) -> None:
    result = invoke("--data-dir", str(FIXTURES / "bad_syntax"), "drill", "list")
    assert result.exit_code == 3
    assert result.stderr.startswith("error: ") and ":4: YAML syntax" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def _every_check() -> list[Any]:
    return [pytest.param(e.drill, c, id=c.id) for e in load_catalog() for c in e.drill.checks]


@pytest.mark.parametrize(("drill", "check"), _every_check())
def test_every_drills_reference_passes_every_check(ctx: Any, drill: Any, check: Any) -> None:
    """One set of checks, two implementations: the reference pattern passes all of them.

    A check that needs a feature this server lacks is instead skipped by the drill, which names it
    and runs every other step.
    """
    import importlib

    from redisprep.drills import run_drill
    from redisprep.features import FEATURES

    if check.feature and not ctx.backend.supports(check.feature):
        report = run_drill(drill.name, ctx.backend)
        assert check.id not in {c.id for c in report.checks}
        skips = [s.outcome.skipped or "" for s in report.steps]
        assert any(f"needs {FEATURES[check.feature].shown} " in s for s in skips), skips
        assert report.ok and sum(1 for s in skips if s) < len(report.steps) - 1
        return
    result = check.run(ctx, importlib.import_module(drill.reference))
    assert result.passed, result.message
