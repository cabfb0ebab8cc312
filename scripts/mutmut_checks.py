"""Run mutmut with the drill checks mutated too: ``python scripts/mutmut_checks.py run ...`` (make mutate).

mutmut 3 leaves every decorated function alone, and every check is a function under
``@check("<id>", "<title>")``: the comparisons that decide a grade would never be mutated. This
lets mutmut mutate the body of a function whose only decorator is a call to ``check``: the
decorator and its arguments stay as written, the trampoline goes under it, and the original and
mutated copies are plain functions the trampoline switches between. Everything else is mutmut's own.
"""

from __future__ import annotations

import sys
from typing import Any

import libcst as cst
import libcst.matchers as m
from libcst.metadata import PositionProvider
from mutmut.__main__ import cli
from mutmut.mutation import file_mutation

DECLARES_A_CHECK = m.FunctionDef(decorators=[m.Decorator(decorator=m.Call(func=m.Name("check")))])

_skip = file_mutation.MutationVisitor._skip_node_and_children
_arrange = file_mutation.function_trampoline_arrangement


def _skip_node_and_children(self: Any, node: cst.CSTNode) -> bool:
    """mutmut's rules, except that one ``@check(...)`` decorator does not rule a function out."""
    if not m.matches(node, DECLARES_A_CHECK):
        return bool(_skip(self, node))
    assert isinstance(node, cst.FunctionDef)
    position = self.get_metadata(PositionProvider, node, None)
    if position and position.start.line in self._ignored_node_lines:
        self.ignored_functions.add(node.name.value)
        return True
    return node.name.value in file_mutation.NEVER_MUTATE_FUNCTION_NAMES


def _function_trampoline_arrangement(function: cst.FunctionDef, mutants: Any, class_name: str | None) -> Any:
    """For a check: plain copies (original and mutants), and ``@check(...)`` above the trampoline."""
    if not m.matches(function, DECLARES_A_CHECK):
        return _arrange(function, mutants, class_name)
    declarations, methods, assignments, names = _arrange(
        function.with_changes(decorators=[]), mutants, class_name
    )
    trampoline = methods[0]
    methods = [
        trampoline.with_changes(decorators=[*function.decorators, *trampoline.decorators]),
        *methods[1:],
    ]
    return declarations, methods, assignments, names


file_mutation.MutationVisitor._skip_node_and_children = _skip_node_and_children  # type: ignore[method-assign]
file_mutation.function_trampoline_arrangement = _function_trampoline_arrangement

if __name__ == "__main__":
    sys.argv[0] = "mutmut"
    cli()
