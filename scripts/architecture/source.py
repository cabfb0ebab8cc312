"""The repository as data: redisprep's modules, their parsed trees, and import statements by scope."""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "redisprep"


@dataclass(frozen=True, slots=True)
class ImportStmt:
    """One import statement: where it is, what it names, and whether it runs at import time."""

    module: str
    """The importing module (``redisprep.cli.drill``)."""
    line: int
    targets: tuple[str, ...]
    """Fully qualified names imported (``redisprep.drills.get_drill``, ``rich.rule.Rule``)."""
    bases: tuple[str, ...]
    """The modules the statement surely imports (``rich.rule`` for ``from rich.rule import Rule``)."""
    local: bool
    """Inside a function body (runs when the function is called, not when the module loads)."""
    function: str | None
    """The enclosing function's name, for local imports."""


def rel(path: Path) -> str:
    """``path`` relative to the repository root."""
    return str(path.relative_to(ROOT))


@functools.cache
def modules() -> dict[str, Path]:
    """Every module of the package, by dotted name, in name order."""
    found: dict[str, Path] = {}
    for path in sorted((ROOT / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return dict(sorted(found.items()))


def is_package(name: str) -> bool:
    return modules()[name].name == "__init__.py"


@functools.cache
def tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def line_count(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _absolute(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    if not is_package(module):
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports(module: str) -> list[ImportStmt]:
    """Import statements of ``module``, TYPE_CHECKING blocks left out (they never run)."""
    out: list[ImportStmt] = []

    def visit(node: ast.AST, function: str | None) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for sub in child.orelse:
                    visit(sub, function)
                continue
            if isinstance(child, ast.Import):
                names = tuple(a.name for a in child.names)
                out.append(ImportStmt(module, child.lineno, names, names, function is not None, function))
            elif isinstance(child, ast.ImportFrom):
                base = _absolute(module, child)
                names = tuple(f"{base}.{a.name}" if a.name != "*" else base for a in child.names)
                out.append(ImportStmt(module, child.lineno, names, (base,), function is not None, function))
            elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                visit(child, function or getattr(child, "name", "<lambda>"))
            else:
                visit(child, function)

    visit(tree(modules()[module]), None)
    return out


def resolve(target: str) -> str | None:
    """The redisprep module a qualified import name lands in (``a.b.func`` -> ``a.b``), else None."""
    names = modules()
    while target:
        if target in names:
            return target
        target = target.rpartition(".")[0]
    return None


def functions(module: str) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    """``(qualified name, node)`` for every function and method of ``module`` (nested ones too)."""

    def walk(node: ast.AST, prefix: str) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                yield f"{prefix}{child.name}", child
                yield from walk(child, f"{prefix}{child.name}.")
            elif isinstance(child, ast.ClassDef):
                yield from walk(child, f"{prefix}{child.name}.")
            else:
                yield from walk(child, prefix)

    yield from walk(tree(modules()[module]), "")


def where(module: str, line: int) -> str:
    return f"{rel(modules()[module])}:{line}"
