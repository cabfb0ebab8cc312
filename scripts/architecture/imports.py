"""Import structure: the module graph, its cycles, package-to-package edges and function-local imports."""

from __future__ import annotations

import functools
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass

from architecture.source import PACKAGE, ImportStmt, imports, modules, resolve, where

#: Third-party (and slow stdlib) packages whose import is costly enough to keep off the start-up path.
HEAVY = frozenset(
    {"typer", "redis", "fakeredis", "yaml", "fsrs", "hdrh", "rich", "lupa", "hiredis", "sqlite3"}
)
#: The commands whose start-up the project measures (tests/test_startup.py and every group's --help).
STARTUP_COMMANDS = (
    ("--version",),
    ("--help",),
    ("drill", "--help"),
    ("explain", "--help"),
    ("quiz", "--help"),
    ("quiz", "stats", "--help"),
    ("practice", "--help"),
    ("practice", "check", "--help"),
    ("cluster", "--help"),
    ("bench", "--help"),
    ("clean", "--help"),
)


def edges(*, include_local: bool = True) -> dict[str, set[str]]:
    """``module -> redisprep modules it imports`` (a package's own ``__init__`` edges included)."""
    graph: dict[str, set[str]] = {m: set() for m in modules()}
    for m in modules():
        for stmt in imports(m):
            if stmt.local and not include_local:
                continue
            for target in stmt.targets:
                hit = resolve(target)
                if hit is not None and hit != m:
                    graph[m].add(hit)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    sys.setrecursionlimit(max(10_000, sys.getrecursionlimit()))

    def visit(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(found)


def cycle_edges(component: list[str], *, include_local: bool = True) -> list[str]:
    """``a -> b (file:line, local)`` for every import inside one cycle."""
    inside = set(component)
    out = []
    for m in component:
        for stmt in imports(m):
            if stmt.local and not include_local:
                continue
            for target in stmt.targets:
                hit = resolve(target)
                if hit in inside and hit != m:
                    kind = f"local, in {stmt.function}()" if stmt.local else "module level"
                    out.append(f"{m} -> {hit} ({where(m, stmt.line)}, {kind})")
    return sorted(set(out))


def area(module: str) -> str:
    """The layer-sized unit of a module: ``redisprep.cli``, ``redisprep.drills``, ``redisprep.backends``."""
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else module


def area_edges() -> Counter[tuple[str, str]]:
    """Import statements from one area to another (module level and local alike)."""
    counts: Counter[tuple[str, str]] = Counter()
    for m, targets in edges().items():
        for t in targets:
            if area(m) != area(t):
                counts[(area(m), area(t))] += 1
    return counts


@functools.cache
def startup_modules() -> dict[tuple[str, ...], frozenset[str]]:
    """The modules (any package) each of :data:`STARTUP_COMMANDS` imports, from ``-X importtime``."""
    out: dict[tuple[str, ...], frozenset[str]] = {}
    for args in STARTUP_COMMANDS:
        proc = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", PACKAGE, *args],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        out[args] = frozenset(
            line.rsplit("|", 1)[1].strip()
            for line in proc.stderr.splitlines()
            if line.startswith("import time:") and "|" in line
        )
    return out


@functools.cache
def closure(module: str) -> frozenset[str]:
    """Modules (redisprep and third-party bases) that importing ``module`` loads, statically."""
    out: set[str] = set()
    todo = [module]
    while todo:
        m = todo.pop()
        if m in out:
            continue
        out.add(m)
        parts = m.split(".")
        todo += [".".join(parts[:i]) for i in range(1, len(parts)) if ".".join(parts[:i]) in modules()]
        if m not in modules():
            continue
        for stmt in imports(m):
            if stmt.local:
                continue
            for name in stmt.targets + stmt.bases:
                hit = resolve(name)
                if hit is not None:
                    todo.append(hit)
            out.update(b for b in stmt.bases if resolve(b) is None)
    return frozenset(out)


def heavy_part(names: frozenset[str], already: frozenset[str]) -> set[str]:
    """The heavy third-party modules among ``names`` that are not loaded already."""
    return {n for n in names if n.split(".")[0] in HEAVY and n not in already}


@dataclass(frozen=True, slots=True)
class LocalImport:
    stmt: ImportStmt
    kind: str
    """``start-up`` | ``run-time path`` | ``cycle`` | ``removable``."""
    heavy: tuple[str, ...]


def _loads(stmt: ImportStmt) -> frozenset[str]:
    """What running ``stmt`` would load: redisprep closures, and third-party base modules."""
    loads: set[str] = set()
    for name in stmt.targets:
        hit = resolve(name)
        if hit is not None:
            loads |= closure(hit)
    loads |= {b for b in stmt.bases if resolve(b) is None}
    return frozenset(loads)


def local_imports() -> list[LocalImport]:
    """Every function-local import, classified by what it buys.

    ``start-up``: the module is loaded by a start-up command that would then also load a heavy
    library it does not load today. ``cycle``: a module-level import would be circular.
    ``run-time path``: keeps a heavy library off a command path that does not need it (fakeredis
    for a live URL). ``removable``: none of these.
    """
    startup = startup_modules()
    union = frozenset().union(*startup.values())
    out = []
    for m in modules():
        own = closure(m)
        for stmt in imports(m):
            if not stmt.local:
                continue
            loads = _loads(stmt)
            heavy = sorted({h for s in startup.values() if m in s for h in heavy_part(loads, s)})
            if heavy:
                kind = "start-up"
            elif m in loads:
                kind = "cycle"
            elif heavy_part(loads, own | union):
                kind = "run-time path"
            else:
                kind = "removable"
            out.append(LocalImport(stmt, kind, tuple(heavy or sorted(heavy_part(loads, own | union)))))
    return out
