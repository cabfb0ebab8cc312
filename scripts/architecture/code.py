"""Code-level figures: run lifecycles, result vocabulary, names, dead code, sizes and dependencies."""

from __future__ import annotations

import ast
import re
import statistics
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from architecture.source import ROOT, functions, line_count, modules, rel, tree, where

#: Calls that make up a run's lifecycle, by the part of it they are.
LIFECYCLE_CALLS = {
    "backend": {"connect", "open_backend", "open_private"},
    "namespace": {"Namespace", "new"},
    "tracer": {"Tracer"},
    "cleanup": {"delete_namespace", "remove_run_keys", "after_backend_failure"},
    "signals": {"signal", "raising", "held"},  # signal.signal, or redisprep.signals' context managers
}
#: Module names the issue calls vague.
VAGUE = ("spec.py", "single.py", "inspect.py", "_checks.py")
#: Names every drill package defines on purpose (a protocol, not a clash).
PROTOCOL_NAMES = {"DRILL", "STEPS", "CHECKS", "PARTS", "__all__"}


@dataclass(frozen=True, slots=True)
class Lifecycle:
    where: str
    owner: str
    parts: tuple[str, ...]


def _calls(node: ast.AST) -> set[str]:
    out = set()
    for c in ast.walk(node):
        if isinstance(c, ast.Call):
            f = c.func
            out.add(f.id if isinstance(f, ast.Name) else getattr(f, "attr", ""))
            if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.attr == "new":
                out.add(f"{f.value.id}.new")
    return out


def _catches_interrupt(node: ast.AST) -> bool:
    return any(
        isinstance(h, ast.ExceptHandler) and h.type is not None and "KeyboardInterrupt" in ast.unparse(h.type)
        for h in ast.walk(node)
    )


def lifecycles() -> list[Lifecycle]:
    """Top-level functions (or whole classes) that clean up a run's keys themselves: one per copy.

    Whoever deletes the run's namespace owns the lifecycle; ``redisprep.cleanup`` and the backend
    module, which provide the deleting, are left out.
    """
    out = []
    for m, path in modules().items():
        if m.endswith((".cleanup", ".backends")):
            continue
        units: list[tuple[str, ast.AST]] = [
            (n.name, n) for n in tree(path).body if isinstance(n, ast.ClassDef)
        ]
        units += [(q, fn) for q, fn in functions(m) if "." not in q]
        for owner, node in units:
            calls = _calls(node)
            parts = [p for p, names in LIFECYCLE_CALLS.items() if calls & names]
            if "Namespace.new" in calls and "namespace" not in parts:
                parts.append("namespace")
            if _catches_interrupt(node):
                parts.append("interrupt")
            if "cleanup" in parts:
                out.append(Lifecycle(where(m, getattr(node, "lineno", 1)), owner, tuple(parts)))
    return out


def signal_handlers() -> list[str]:
    """Calls that install a signal handler (``signal.signal``)."""
    return [
        where(m, n.lineno)
        for m, path in modules().items()
        for n in ast.walk(tree(path))
        if isinstance(n, ast.Call) and ast.unparse(n.func) == "signal.signal"
    ]


def backend_openers() -> list[str]:
    """Functions that open a backend themselves (call ``connect``), outside the backend module."""
    out = []
    for m in modules():
        if m.endswith(".backends"):
            continue
        for q, fn in functions(m):
            if "connect" in _calls(fn) and "." not in q:
                out.append(f"{where(m, fn.lineno)} {q}()")
    return out


def result_vocabulary() -> list[str]:
    """Classes and functions that name a check or its result (``Check``, ``Verdict``, ``CheckOutcome``)."""
    rx = re.compile(r"^(check|verdict|Status|GradeReport)$|Check|Verdict|Outcome")
    out = []
    for m, path in modules().items():
        if m.startswith("redisprep.cli"):
            continue
        for node in tree(path).body:
            name = getattr(node, "name", None)
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
                name = node.targets[0].id
            if name and rx.search(name) and not name.startswith("_") and "test" not in name:
                out.append(f"{where(m, node.lineno)} {name}")
    return out


def same_name_different_things() -> dict[str, list[str]]:
    """Public module-level constants defined in several modules with different kinds of value."""
    defs: dict[str, list[tuple[str, str]]] = {}
    for m, path in modules().items():
        for node in tree(path).body:
            if (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
            ):
                name = node.targets[0].id
                if name.isupper() and not name.startswith("_") and name not in PROTOCOL_NAMES:
                    value = node.value
                    kind = type(value).__name__
                    if isinstance(value, ast.Call):
                        kind = f"call {ast.unparse(value.func)}"
                    elif isinstance(value, ast.Constant):
                        kind = type(value.value).__name__
                    defs.setdefault(name, []).append((where(m, node.lineno), kind))
    return {
        n: [f"{w} ({k})" for w, k in v] for n, v in defs.items() if len(v) > 1 and len({k for _, k in v}) > 1
    }


def shared_class_names() -> dict[str, list[str]]:
    """Class names defined in more than one module (``Verdict`` in drills and in quiz)."""
    defs: dict[str, list[str]] = {}
    for m, path in modules().items():
        for node in tree(path).body:
            if isinstance(node, ast.ClassDef):
                defs.setdefault(node.name, []).append(where(m, node.lineno))
    return {n: w for n, w in sorted(defs.items()) if len(w) > 1}


def module_names() -> dict[str, list[str]]:
    """The vague names the issue lists (where they are), and basenames used by several modules."""
    paths = [rel(p) for p in modules().values()]
    vague = [p for p in paths if Path(p).name in VAGUE]
    counts = Counter(Path(p).name for p in paths)
    shared = sorted(
        f"{n} x{c}" for n, c in counts.items() if c > 1 and n not in ("__init__.py", "steps.py", "checks.py")
    )
    return {"vague": vague, "shared basenames": shared}


def format_version() -> dict[str, object]:
    """Data files that carry ``format_version``, and the modules that mention it at all."""
    kinds: Counter[str] = Counter()
    for pattern in ("drills/*/drill.yaml", "drills/*/exercise.yaml", "flashcards/*.yaml"):
        kinds[pattern] = sum("format_version" in p.read_text(encoding="utf-8") for p in ROOT.glob(pattern))
    readers = [rel(p) for p in modules().values() if "format_version" in p.read_text(encoding="utf-8")]
    return {"files": dict(kinds), "modules that mention it": readers}


def runtime_dependencies() -> dict[str, object]:
    """The declared runtime dependencies, and whether the package imports pytest anywhere."""
    from importlib.metadata import requires

    declared = [r for r in requires("redisprep") or [] if "extra ==" not in r]
    deps = [re.split(r"[<>=!\[ ;(]", d, maxsplit=1)[0] for d in declared]
    uses = [
        rel(p)
        for p in modules().values()
        if re.search(r"^\s*(import|from)\s+pytest\b|['\"]pytest['\"]", p.read_text(encoding="utf-8"), re.M)
    ]
    return {"declared": deps, "pytest declared": "pytest" in deps, "modules using pytest": uses}


def sizes() -> dict[str, object]:
    lines = {rel(p): line_count(p) for p in modules().values()}
    total = sum(lines.values())
    by_area: Counter[str] = Counter()
    for path, n in lines.items():
        parts = Path(path).parts
        by_area["/".join(parts[:2]) if len(parts) > 2 else parts[0] + "/*.py"] += n
    largest = sorted(lines.items(), key=lambda kv: -kv[1])[:5]
    return {
        "modules": len(lines),
        "total lines": total,
        "median": statistics.median(lines.values()),
        "largest": largest,
        "over 300": sum(n > 300 for n in lines.values()),
        "over 500": sum(n > 500 for n in lines.values()),
        "by area": dict(by_area.most_common()),
    }


def cli_orchestration() -> list[str]:
    """CLI functions longer than 25 lines, and how many core areas each CLI module reaches into."""
    out = []
    for m in modules():
        if not m.startswith("redisprep.cli."):
            continue
        for q, fn in functions(m):
            length = (fn.end_lineno or fn.lineno) - fn.lineno + 1
            if length > 25:
                out.append(f"{where(m, fn.lineno)} {q}() {length} lines")
    return out
