"""The optional tools run over the package: vulture (dead code), deptry (dependencies), import-linter."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from architecture.source import ROOT, modules, tree


def _tool(name: str) -> str | None:
    exe = Path(sys.executable).with_name(name)
    return str(exe) if exe.exists() else shutil.which(name)


def vulture() -> dict[str, object]:
    """vulture at 80% on the package, and functions nothing calls (60%, checked against tests and scripts)."""
    exe = _tool("vulture")
    if exe is None:
        return {"error": "vulture not installed (pip install vulture)"}

    def run(*paths: str, confidence: int) -> list[str]:
        proc = subprocess.run(
            [exe, *paths, "--min-confidence", str(confidence)], capture_output=True, text=True, cwd=ROOT
        )
        return [line for line in proc.stdout.splitlines() if line.strip()]

    # The whitelist `make lint` uses: names used where vulture cannot see (each entry says by whom).
    known = [w for w in ("scripts/vulture_whitelist.py",) if (ROOT / w).is_file()]
    at80 = run("redisprep", *known, confidence=80)
    code_only = run("redisprep", *known, confidence=60)
    everywhere = set(run("redisprep", "tests", "scripts", confidence=60))
    kinds = ("unused function", "unused method", "unused property", "unused class")
    named = {  # names listed as text in a tuple or list: a drill interface, called with getattr
        e.value
        for p in modules().values()
        for n in ast.walk(tree(p))
        if isinstance(n, ast.Tuple | ast.List | ast.Set)
        for e in n.elts
        if isinstance(e, ast.Constant) and isinstance(e.value, str)
    }
    dead, test_only = [], []
    for line in code_only:
        if not any(k in line for k in kinds):
            continue
        name = line.split("'")[1]
        if name in named or name.startswith("__"):
            continue  # called by name (a drill interface listed as text), or a dunder hook
        if _decorated(line):
            continue  # registered by a decorator (a Typer command)
        (dead if line in everywhere else test_only).append(line.split(" (")[0])
    return {"at 80%": at80, "nothing calls": dead, "only tests call": test_only}


def _decorated(line: str) -> bool:
    path, lineno = line.split(":")[:2]
    node_line = int(lineno)
    for node in ast.walk(tree(ROOT / path)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node_line in (
            node.lineno,
            *(d.lineno for d in node.decorator_list),
        ):
            return bool(node.decorator_list) and not all(
                ast.unparse(d)
                in ("property", "staticmethod", "classmethod", "functools.cache", "contextmanager")
                for d in node.decorator_list
            )
    return False


def deptry() -> list[str]:
    exe = _tool("deptry")
    if exe is None:
        return ["deptry not installed (pip install deptry)"]
    proc = subprocess.run(
        [
            exe,
            "redisprep",
            "--known-first-party",
            "redisprep",
            "--optional-dependencies-dev-groups",
            "dev",
            "--no-ansi",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return [line for line in (proc.stdout + proc.stderr).splitlines() if "DEP0" in line]


def contracts() -> list[str]:
    """import-linter's verdicts: the project's own contracts if pyproject has them, else the baseline's."""
    exe = _tool("lint-imports")
    if exe is None:
        return ["import-linter not installed (pip install import-linter)"]
    own = "[tool.importlinter]" in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    config = [] if own else [str(Path(__file__).with_name("contracts-baseline.ini"))]
    env = {**os.environ, "COLUMNS": "250"}
    proc = subprocess.run([exe, *config, "--no-cache"], capture_output=True, text=True, cwd=ROOT, env=env)
    lines = [line.strip() for line in proc.stdout.splitlines()]
    # "Name KEPT", or "Name KEPT (1 ignored import)" when a contract ignores imports.
    verdicts = [line for line in lines if re.search(r" (KEPT|BROKEN)( \(\d+ ignored imports?\))?$", line)]
    broken = [line for line in lines if line.startswith("- ") or " is not allowed to import " in line]
    return verdicts + broken
