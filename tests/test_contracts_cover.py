"""The import contracts in pyproject.toml name every top-level part of the package.

They list modules by name; a module added later and not listed would be outside every rule.
"""

from __future__ import annotations

import pkgutil
import sys
from pathlib import Path

import redisprep

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
NOT_CORE = {"redisprep.cli", "redisprep.render", "redisprep.__main__"}


def _contracts() -> dict[str, dict[str, object]]:
    data = tomllib.loads(PYPROJECT.read_text())
    return {c["name"]: c for c in data["tool"]["importlinter"]["contracts"]}


def _top_level() -> set[str]:
    return {f"redisprep.{m.name}" for m in pkgutil.iter_modules(redisprep.__path__)}


def test_every_core_module_is_bound_by_the_layer_contracts() -> None:
    core = _top_level() - NOT_CORE
    for name in ("The core never imports the CLI or render", "Only the CLI imports typer"):
        listed = set(_contracts()[name]["source_modules"])  # type: ignore[call-overload]
        assert core - listed == set(), f"{name}: not listed"


def test_knowledge_may_import_no_other_part() -> None:
    leaf = _contracts()["Knowledge is a leaf: it imports nothing from redisprep"]
    forbidden = set(leaf["forbidden_modules"])  # type: ignore[call-overload]
    assert _top_level() - {"redisprep.knowledge", "redisprep.__main__"} - forbidden == set()
