"""Drills stand alone: no drill package imports another, so one can be removed or renamed alone.

Shared pieces live in ``redisprep/drills/_*.py`` (and the drill framework's own modules). The one
exception is deliberate and named: event-sourcing's failure step runs pubsub-vs-streams' offline
catch-up check on both feeds, to show the same loss in the ledger's setting.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from redisprep.drills.discovery import drill_packages

#: (importer, imported) -> why.
ALLOWED = {
    (
        "event_sourcing",
        "pubsub_vs_streams",
    ): "the failure step reruns that drill's offline check on both feeds",
}


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


def _cross_imports() -> dict[tuple[str, str], list[str]]:
    packages = drill_packages()
    cross: dict[tuple[str, str], list[str]] = {}
    for own, folder in packages.items():
        for path in sorted(folder.rglob("*.py")):
            for module in sorted(_imports(path)):
                parts = module.split(".")
                if parts[:2] == ["redisprep", "drills"] and len(parts) > 2:
                    other = parts[2]
                    if other in packages and other != own:
                        cross.setdefault((own, other), []).append(f"{path.name}: {module}")
    return cross


def test_no_drill_package_imports_another_but_the_named_exception() -> None:
    cross = _cross_imports()
    assert set(cross) - set(ALLOWED) == set(), {k: v for k, v in cross.items() if k not in ALLOWED}


def test_each_allowed_exception_is_still_needed() -> None:
    """An exception nobody uses any more is removed, so the list stays the truth."""
    assert set(ALLOWED) <= set(_cross_imports())


def test_the_check_sees_a_cross_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The premise: the scan finds an import of another drill where there is one."""
    a, b = tmp_path / "alpha", tmp_path / "beta"
    a.mkdir()
    b.mkdir()
    (a / "steps.py").write_text("from redisprep.drills.beta import reference\n")
    (b / "reference.py").write_text("X = 1\n")
    monkeypatch.setattr(f"{__name__}.drill_packages", lambda: {"alpha": a, "beta": b})
    assert list(_cross_imports()) == [("alpha", "beta")]
