"""Drill discovery: a drill is a package ``redisprep.drills.<pkg>`` plus a data folder ``drills/<name>/``.

``<pkg>`` is ``<name>`` with ``-`` turned into ``_``. Listing reads data only: the names come from
the folders that hold a ``drill.yaml`` and the package names from the file system (nothing is
imported). A drill's code is imported when it runs. A stray folder or package, a package that does
not import, or one without a ``DRILL`` is a :class:`~redisprep.errors.DataFormatError` naming the file.
"""

from __future__ import annotations

import importlib
import pkgutil
import traceback
from pathlib import Path

from redisprep.drills.definition import Drill, DrillMeta
from redisprep.errors import DataFormatError

#: The package that holds one subpackage per drill (framework modules beside them are not drills).
DRILLS_PACKAGE = "redisprep.drills"


def package_of(name: str) -> str:
    """The Python package name of the drill called ``name``: ``rate-limit`` -> ``rate_limit``."""
    return name.replace("-", "_")


def drill_packages() -> dict[str, Path]:
    """Every drill package (a subpackage of ``redisprep.drills`` without a leading ``_``) and its folder."""
    root = importlib.import_module(DRILLS_PACKAGE)
    found: dict[str, Path] = {}
    for info in pkgutil.iter_modules(root.__path__):
        if info.ispkg and not info.name.startswith("_") and info.name not in found:
            found[info.name] = Path(getattr(info.module_finder, "path", ".")) / info.name
    return found


def data_folders(drills_dir: Path) -> list[Path]:
    """The ``drill.yaml`` of every data folder, sorted by folder name."""
    return sorted(drills_dir.glob("*/drill.yaml")) if drills_dir.is_dir() else []


def check_pairs(metas: list[tuple[DrillMeta, Path]], packages: dict[str, Path]) -> None:
    """Every data folder has its package and every package its data folder.

    Raises:
        DataFormatError: Naming the ``drill.yaml`` without a package, or the package without data.
    """
    wanted = {package_of(meta.name): path for meta, path in metas}
    for pkg, path in sorted(wanted.items()):
        if pkg not in packages:
            name = path.parent.name
            raise DataFormatError(str(path), None, f"drill {name!r} has no package redisprep/drills/{pkg}/")
    for pkg, folder in sorted(packages.items()):
        if pkg not in wanted:
            name = pkg.replace("_", "-")
            raise DataFormatError(
                str(folder / "__init__.py"),
                None,
                f"drill package {pkg!r} has no data folder drills/{name}/drill.yaml",
            )


def import_drill(meta: DrillMeta, folder: Path | None = None) -> Drill:
    """Import the package of ``meta`` and return its ``DRILL``.

    Raises:
        DataFormatError: The package does not import (``file:line`` of the failing line in the
            package), has no ``DRILL``, declares another name, or names a check for another drill.
    """
    module_name = f"{DRILLS_PACKAGE}.{package_of(meta.name)}"
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:
        where, line = _blame(exc, folder)
        problem = f"cannot load drill {meta.name!r}: {type(exc).__name__}: {exc}"
        raise DataFormatError(where or module_name, line, problem) from exc
    init = str(Path(module.__file__ or module_name))
    drill = getattr(module, "DRILL", None)
    if not isinstance(drill, Drill):
        raise DataFormatError(init, None, f"drill {meta.name!r} must set DRILL = Drill(...)")
    drill = drill.placed(meta.name, module_name)
    if drill.name != meta.name:
        raise DataFormatError(init, None, f"DRILL is named {drill.name!r}, its data folder {meta.name!r}")
    stray = [c.id for c in drill.checks if not c.id.startswith(f"{meta.name}.")]
    if stray:
        raise DataFormatError(init, None, f"check {stray[0]!r} must be named '{meta.name}.<id>'")
    return drill


def _blame(exc: BaseException, folder: Path | None) -> tuple[str | None, int | None]:
    """The last traceback frame inside the drill's package folder (or a syntax error's own line)."""
    if isinstance(exc, SyntaxError) and exc.filename:
        return exc.filename, exc.lineno
    frames = traceback.extract_tb(exc.__traceback__)
    inside = [f for f in frames if folder is not None and Path(f.filename).is_relative_to(folder)]
    chosen = inside or frames
    return (chosen[-1].filename, chosen[-1].lineno) if chosen else (None, None)
