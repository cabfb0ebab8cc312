"""Copies of Redis knowledge in the code: command tables, key-position extractors, limits, parsers."""

from __future__ import annotations

import ast
import functools
import importlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from architecture.source import ROOT, functions, modules, tree, where

#: Fields that hold an encoding threshold (redis.conf ``*-max-*`` settings, embstr, stream nodes).
THRESHOLD = re.compile(
    r"(?i)^_?(zset|hash|set|list|stream|embstr|intset|listpack|ziplist|quicklist)\w*"
    r"(entries|value|bytes|size|limit)$|^_?EMBSTR\w*$|^_?LIST_NODE_BYTES$"
)
#: Functions that turn arguments into a command name, and into key positions (name-based probes:
#: after a redesign, add the new names here so the count stays comparable).
NAME_FUNCS = {"resolve_name", "command_name", "command_info", "parse"}
KEY_FUNCS = {"cost_spec", "key_names", "command_keys", "spec_positions", "_server_keys", "key_positions"}


@functools.cache
def command_names() -> frozenset[str]:
    """Every command name any shipped JSON table documents (``ZADD``, ``XGROUP CREATE``, ``BF.ADD``)."""
    names: set[str] = set()
    for path in (ROOT / "redisprep").rglob("*.json"):
        doc = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(doc, dict) and isinstance(doc.get("commands"), dict):
            names |= {str(k).upper() for k in doc["commands"]}
    return frozenset(names)


@dataclass(frozen=True, slots=True)
class Table:
    where: str
    name: str
    size: int
    sample: tuple[str, ...]


def _strings(node: ast.AST) -> list[str]:
    """Command-name-like strings a literal holds: elements, dict keys, keyword names, ``"A B".split()``."""
    out: list[str] = []
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        out += [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    elif isinstance(node, ast.Dict):
        out += [k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)]
    elif isinstance(node, ast.Call):
        out += [k.arg for k in node.keywords if k.arg]
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "split" and isinstance(func.value, ast.Constant):
            out += str(func.value.value).split()
    return out


def _statements(root: ast.AST) -> Iterable[tuple[ast.stmt, str]]:
    """Simple statements with the name of what they define (assignment target or enclosing function)."""

    def walk(node: ast.AST, owner: str) -> Iterable[tuple[ast.stmt, str]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                yield from walk(
                    child, f"{child.name}()" if not isinstance(child, ast.ClassDef) else child.name
                )
            elif isinstance(child, ast.Assign | ast.AnnAssign | ast.Expr | ast.Return | ast.AugAssign):
                target = getattr(child, "targets", None) or [getattr(child, "target", None)]
                name = next((t.id for t in target if isinstance(t, ast.Name)), owner)
                yield child, name
            else:
                yield from walk(child, owner)

    yield from walk(root, "<module>")


def command_tables(exclude: str = "redisprep.knowledge") -> list[Table]:
    """Literals in the code naming three or more Redis commands: hand-kept knowledge."""
    known = command_names()
    out = []
    for m, path in modules().items():
        if m.startswith(exclude):
            continue
        for stmt, name in _statements(tree(path)):
            found: list[str] = []
            for node in ast.walk(stmt):
                found += [s.upper() for s in _strings(node) if s.upper() in known and s.upper() == s]
            distinct = tuple(dict.fromkeys(found))
            if len(distinct) >= 3:
                out.append(Table(where(m, stmt.lineno), name, len(distinct), distinct[:6]))
    return out


def thresholds(exclude: str = "redisprep.knowledge") -> dict[str, list[str]]:
    """Encoding thresholds defined with a number, by file: ``{file: [name@line, ...]}``."""
    out: dict[str, list[str]] = {}
    for m, path in modules().items():
        if m.startswith(exclude):
            continue
        for node in ast.walk(tree(path)):
            target, value = None, None
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                target, value = node.target.id, node.value
            elif (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
            ):
                target, value = node.targets[0].id, node.value
            if target is None or value is None or not THRESHOLD.match(target):
                continue
            if isinstance(value, ast.Constant | ast.UnaryOp | ast.Dict):
                out.setdefault(where(m, 1).rsplit(":", 1)[0], []).append(f"{target}@{node.lineno}")
    return out


def parse_sites() -> list[str]:
    """Functions that work out both a command's name and its keys from raw arguments."""
    out = []
    for m in modules():
        for qual, fn in functions(m):
            called = {
                (c.func.id if isinstance(c.func, ast.Name) else getattr(c.func, "attr", ""))
                for c in ast.walk(fn)
                if isinstance(c, ast.Call)
            }
            if called & NAME_FUNCS and called & KEY_FUNCS and fn.name not in NAME_FUNCS | KEY_FUNCS:
                out.append(f"{where(m, fn.lineno)} {qual}()")
    return out


def decoders() -> list[str]:
    """Functions that turn a bytes argument into text: ``isinstance(x, bytes)`` then ``.decode(...)``."""
    out = []
    for m in modules():
        for qual, fn in functions(m):
            text = ast.unparse(fn)
            if "bytes" in text and ".decode(" in text and len(fn.body) <= 4 and "isinstance" in text:
                handler = re.search(r"\.decode\(([^)]*)\)", text)
                out.append(f"{where(m, fn.lineno)} {qual}() decode({handler.group(1) if handler else ''})")
    return out


def probe(path: str) -> Any:
    """``module:attr`` -> the object, or None when the module or attribute no longer exists."""
    module, _, attr = path.partition(":")
    try:
        obj: Any = importlib.import_module(module)
    except ImportError:
        return None
    for part in attr.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


#: Tables of commands refused or never run, by where they are kept. Before the redesign each was a
#: table of its own; after it, each is a view of the one table (redisprep.knowledge.policy.POLICY).
REFUSAL_TABLES = {
    "explain: never on a live server": (
        "redisprep.knowledge.policy:NEVER_ON_USER_SERVER",
        "redisprep.explain.one_command:NEVER_ON_LIVE",
    ),
    "explain: connection state, docs only": (
        "redisprep.knowledge.policy:CONNECTION_STATE",
        "redisprep.explain.one_command:CONNECTION_STATE",
    ),
    "practice guard: refused with a reason": (
        "redisprep.knowledge.policy:REFUSED_WHILE_GRADING",
        "redisprep.practice.guard:REASONS",
    ),
    "practice guard: keyless commands allowed": (
        "redisprep.knowledge.policy:KEYLESS_WHILE_GRADING",
        "redisprep.practice.guard:ALLOWED_KEYLESS",
    ),
    "quiz sandbox: refused": ("redisprep.knowledge.policy:REFUSED_IN_QUIZ", "redisprep.quiz.sandbox:REFUSED"),
    "cluster: sent to replicas (reads)": ("redisprep.cluster.slots:READ_COMMANDS",),
}


def refusal_tables() -> dict[str, frozenset[str]]:
    out = {}
    for label, paths in REFUSAL_TABLES.items():
        table = next((t for t in map(probe, paths) if t is not None), None)
        if table is not None:
            out[label] = frozenset(str(x).upper() for x in table)
    return out


def acl_dangerous() -> frozenset[str]:
    """Commands the server itself puts in ``@dangerous`` (from the shipped COMMAND INFO table)."""
    for path in (ROOT / "redisprep").rglob("keyspecs.json"):
        doc = json.loads(path.read_text(encoding="utf-8"))
        return frozenset(n for n, e in doc["commands"].items() if "dangerous" in e.get("acl", ()))
    return frozenset()
