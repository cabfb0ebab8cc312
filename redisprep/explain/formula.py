"""Evaluate a work formula (``log(N)+M``) with the measured letters, safely and without ``eval``."""

from __future__ import annotations

import ast
import functools
import math
import re
from collections.abc import Mapping


@functools.cache
def _parse(formula: str) -> ast.expr:
    return ast.parse(formula, mode="eval").body


def evaluate(formula: str, values: Mapping[str, int | None]) -> float | None:
    """The formula's value, or None when a letter it needs was not measured.

    ``log`` is base 2 and never below 1 (``log(0)`` and ``log(1)`` count as one step).

    Example:
        >>> evaluate("log(N)+M", {"N": 1024, "M": 10})
        20.0
    """
    try:
        return float(_eval(_parse(formula), values))
    except _UnmeasuredError:
        return None


class _UnmeasuredError(Exception):
    pass


def _eval(node: ast.expr, values: Mapping[str, int | None]) -> float:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return float(node.value)
    if isinstance(node, ast.Name):
        value = values.get(node.id)
        if value is None:
            raise _UnmeasuredError(node.id)
        return float(value)
    if isinstance(node, ast.BinOp):
        left, right = _eval(node.left, values), _eval(node.right, values)
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Sub):
            return max(0.0, left - right)
        if isinstance(node.op, ast.Mult):
            return left * right
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "log":
        return math.log2(max(_eval(node.args[0], values), 2.0))
    raise ValueError(f"unsupported formula element: {ast.dump(node)}")


def letters(formula: str) -> list[str]:
    """The letters a formula uses, in order (``log`` excluded)."""
    names = [n.id for n in ast.walk(_parse(formula)) if isinstance(n, ast.Name) and n.id != "log"]
    return list(dict.fromkeys(names))


def filled(formula: str, values: Mapping[str, int | None]) -> str:
    """The formula with numbers in place of letters: ``log(N)+M`` -> ``log2(1000)+10``."""
    text = re.sub(r"\blog\(", "log2(", formula)
    for name in letters(formula):
        value = values.get(name)
        text = re.sub(rf"\b{name}\b", "?" if value is None else str(value), text)
    # log2 of 0 or 1 is counted as one step (see evaluate); show it that way.
    return re.sub(r"log2\(([01])\)", "1", text)
