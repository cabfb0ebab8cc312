"""Where a drill lives: its own files (by tree) and the hand-kept lists it must be added to."""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from architecture.source import ROOT, rel

#: Text files searched for hand-kept lists of drills (besides Python sources).
TEXT_SUFFIXES = {".md", ".yml", ".yaml", ".toml", ".txt", ".cfg", ".ini"}
SKIP_DIRS = {".git", ".venv", ".nox", ".matrix", ".servers", "__pycache__", ".mypy_cache", ".ruff_cache"}


@dataclass
class DrillInfo:
    name: str
    group: str
    module: str
    """The module holding the drill's declaration (``redisprep.drills.leaderboard``)."""
    reference: str
    has_exercise: bool
    own: list[Path] = field(default_factory=list)
    """The drill's own files and folders."""
    decks: list[str] = field(default_factory=list)

    @property
    def leaf(self) -> str:
        return self.module.rsplit(".", 1)[-1]

    @property
    def spellings(self) -> set[str]:
        """The names the drill's code goes by (``-`` read as ``_``): drill, package, reference module.

        A reference inside the drill's package (``<pkg>.reference``) goes by the package's name.
        """
        parts = self.reference.split(".")
        ref_leaf = parts[-2] if parts[-1] == "reference" and len(parts) > 1 else parts[-1]
        return {n.replace("-", "_") for n in (self.name, self.leaf, ref_leaf)}


@dataclass(frozen=True, slots=True)
class HandList:
    """A literal list naming several drills, outside the drills' own files."""

    where: str
    members: frozenset[str]
    exhaustive_for: tuple[str, ...]
    """The categories it lists completely (``all drills``, ``group use-case``...)."""


def _drill_module(drill: Any) -> str:
    for name, mod in list(sys.modules.items()):
        if name.startswith("redisprep.") and getattr(mod, "DRILL", None) is drill:
            return name
    raise LookupError(f"no module declares drill {drill.name!r}")


def _module_dir(module: str) -> Path:
    import importlib.util

    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin is not None
    origin = Path(spec.origin)
    return origin.parent if origin.name == "__init__.py" else origin


def _deck_links() -> dict[str, set[str]]:
    """Drill name -> deck files that link a card to it (``drill:``), or are named after it."""
    import yaml

    links: dict[str, set[str]] = {}
    for path in sorted((ROOT / "flashcards").glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        links.setdefault(path.stem, set()).add(rel(path))
        for card in doc.get("cards") or []:
            if isinstance(card, dict) and card.get("drill"):
                links.setdefault(str(card["drill"]), set()).add(rel(path))
    return links


def drills() -> list[DrillInfo]:
    """Every drill of the catalog with its own places."""
    from redisprep.drills import load_catalog
    from redisprep.practice.catalog import load_exercises

    exercised = {e.drill for e in load_exercises()}
    decks = _deck_links()
    out = []
    for entry in load_catalog():
        module = _drill_module(entry.drill)
        info = DrillInfo(entry.name, entry.meta.group, module, entry.drill.reference, entry.name in exercised)
        info.decks = sorted(decks.get(entry.name, ()))
        info.own += [p for p in [ROOT / "drills" / entry.name] if p.is_dir()]
        info.own.append(_module_dir(module))
        reference = _module_dir(entry.drill.reference)
        if not reference.is_relative_to(info.own[-1]):
            info.own.append(reference)
        info.own += [ROOT / d for d in info.decks]
        stems = {f"test_{info.leaf}", f"test_structure_{info.leaf}", f"test_{entry.name.replace('-', '_')}"}
        info.own += [p for p in sorted((ROOT / "tests").glob("test_*.py")) if p.stem in stems]
        info.own += [
            p
            for p in sorted((ROOT / "tests" / "fixtures").rglob(entry.name))
            if p.is_dir() and any(p.glob("*.py"))
        ]
        out.append(info)
    return out


def tree_of(path: Path) -> str:
    """The top-level tree a path belongs to (``redisprep/drills``, ``tests/fixtures``, ``flashcards``)."""
    parts = path.relative_to(ROOT).parts
    if parts[0] in ("redisprep", "tests") and len(parts) > 2:
        return "/".join(parts[:2])
    return parts[0]


def _files() -> Iterable[Path]:
    for path in sorted(ROOT.rglob("*")):
        if any(p in SKIP_DIRS for p in path.relative_to(ROOT).parts) or not path.is_file():
            continue
        if path.suffix == ".py" or path.suffix in TEXT_SUFFIXES or path.name in ("Makefile", "run"):
            yield path


def _python_lists(path: Path, tokens: dict[str, str]) -> Iterable[tuple[int, frozenset[str]]]:
    try:
        module = ast.parse(path.read_text(encoding="utf-8"))
    except (SyntaxError, UnicodeDecodeError):
        return
    for node in ast.walk(module):
        items: list[ast.expr | None] = []
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            items = list(node.elts)
        elif isinstance(node, ast.Dict):
            items = list(node.keys)
        names = {tokens[i.value] for i in items if isinstance(i, ast.Constant) and str(i.value) in tokens}
        if len(names) >= 2:
            yield node.lineno, frozenset(names)


def hand_lists(infos: list[DrillInfo]) -> list[HandList]:
    """Literal lists of drills (Python containers, or text lines naming two or more drills)."""
    tokens: dict[str, str] = {}
    for d in infos:
        tokens[d.name] = d.name
        tokens[d.module] = d.name
    categories: dict[str, set[str]] = {"all drills": {d.name for d in infos}}
    for d in infos:
        categories.setdefault(f"group {d.group}", set()).add(d.name)
        categories.setdefault(f"package {d.module.rsplit('.', 1)[0]}", set()).add(d.name)
        if d.has_exercise:
            categories.setdefault("drills with an exercise", set()).add(d.name)
    # A category of two (the scaling drills) is listed together by coincidence too often to count.
    categories = {k: v for k, v in categories.items() if len(v) >= 3}
    own = {p for d in infos for p in d.own}
    word = {n: re.compile(rf"(?<![\w-]){re.escape(n)}(?![\w-])") for n in categories["all drills"]}
    found: list[HandList] = []
    for path in _files():
        if any(path == o or path.is_relative_to(o) for o in own if o.is_dir()) or path in own:
            continue
        hits: list[tuple[int, frozenset[str]]] = []
        if path.suffix == ".py":
            hits = list(_python_lists(path, tokens))
        else:
            for no, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
                names = frozenset(n for n, rx in word.items() if rx.search(line))
                if len(names) >= 2:
                    hits.append((no, names))
        for line, members in hits:
            complete = tuple(sorted(c for c, ms in categories.items() if ms <= members))
            found.append(HandList(f"{rel(path)}:{line}", members, complete))
    return found


def places_of(info: DrillInfo, lists: list[HandList]) -> tuple[list[str], list[str]]:
    """(trees the drill's own files are spread over, exhaustive lists it must be added to)."""
    trees = sorted({tree_of(p) for p in info.own})
    must = [h.where for h in lists if h.exhaustive_for and info.name in h.members]
    return trees, must
