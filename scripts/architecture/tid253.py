"""Which function-local imports ruff's TID253 requires, from pyproject.toml and the nested ruff.toml files."""

from __future__ import annotations

import fnmatch
import functools
from dataclasses import dataclass
from pathlib import Path

import tomllib

from architecture.source import PACKAGE, ROOT, ImportStmt, modules


@dataclass(frozen=True, slots=True)
class Config:
    """One ruff configuration: its folder, its TID253 list, and the globs that switch TID253 off."""

    base: Path
    banned: tuple[str, ...]
    ignored: tuple[tuple[Path, str], ...]


def _ignores_tid253(lint: dict[str, object], base: Path) -> list[tuple[Path, str]]:
    out = []
    for key in ("per-file-ignores", "extend-per-file-ignores"):
        table = lint.get(key) or {}
        assert isinstance(table, dict)
        out += [(base, glob) for glob, codes in table.items() if {"TID253", "TID"} & set(codes)]
    return out


@functools.cache
def configs() -> tuple[Config, ...]:
    """The root's configuration, then each nested ruff.toml (which extends its parent), shallowest first."""
    lint = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["ruff"]["lint"]
    found = [Config(ROOT, tuple(lint["flake8-tidy-imports"]["banned-module-level-imports"]), ())]
    found[0] = Config(ROOT, found[0].banned, tuple(_ignores_tid253(lint, ROOT)))
    for path in sorted((ROOT / PACKAGE).rglob("ruff.toml"), key=lambda p: len(p.parts)):
        parent = [c for c in found if path.parent.is_relative_to(c.base)][-1]
        lint = tomllib.loads(path.read_text()).get("lint", {})
        banned = (lint.get("flake8-tidy-imports") or {}).get("banned-module-level-imports")
        inherited = [] if "per-file-ignores" in lint else list(parent.ignored)
        found.append(
            Config(
                path.parent,
                tuple(banned) if banned is not None else parent.banned,
                tuple(inherited + _ignores_tid253(lint, path.parent)),
            )
        )
    return tuple(found)


def banned_for(path: Path) -> tuple[str, ...]:
    """The modules TID253 bans at module level in ``path`` (none where a per-file ignore applies)."""
    config = [c for c in configs() if path.is_relative_to(c.base)][-1]
    for base, glob in config.ignored:
        if path.is_relative_to(base) and fnmatch.fnmatch(str(path.relative_to(base)), glob):
            return ()
    return config.banned


def required(stmt: ImportStmt) -> str | None:
    """The banned module that keeps ``stmt`` inside its function, or None when TID253 allows hoisting it."""
    banned = banned_for(modules()[stmt.module])
    for name in (*stmt.bases, *stmt.targets):
        for b in banned:
            if name == b or name.startswith(b + "."):
                return b
    return None
