"""Load YAML files with line numbers attached, so every complaint can say ``file:line``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from redisprep.errors import DataFormatError


class Node(dict[Any, Any]):
    """A YAML mapping that remembers the (1-based) line it started on, and the line of each key."""

    line: int = 0
    key_lines: dict[Any, int]


def load_yaml(path: Path) -> Any:
    """Parse ``path``; mappings come back as :class:`Node` with a ``line``.

    Raises:
        DataFormatError: The file cannot be read or is not valid YAML (with its line).
    """
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class _Loader(base):  # type: ignore[misc,valid-type]
        pass

    def construct_mapping(loader: Any, node: Any) -> Node:
        loader.flatten_mapping(node)
        mapping = Node()
        mapping.key_lines = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool) and key is not None:
                raise DataFormatError(str(path), key_node.start_mark.line + 1, "mapping key must be text")
            if key in mapping:
                raise DataFormatError(str(path), key_node.start_mark.line + 1, f"duplicate key {key!r}")
            mapping[key] = loader.construct_object(value_node, deep=True)
            mapping.key_lines[key] = key_node.start_mark.line + 1
        mapping.line = node.start_mark.line + 1
        return mapping

    _Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFormatError(str(path), None, f"cannot read: {exc}") from None
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        raise DataFormatError(str(path), *_syntax_problem(exc)) from None
    except yaml.YAMLError as exc:
        raise DataFormatError(str(path), None, f"YAML: {exc}") from None


def _syntax_problem(exc: Any) -> tuple[int | None, str]:
    """The line to blame and the text. An unclosed quote or bracket is reported where it opened."""
    problem = exc.problem or "invalid YAML"
    context, mark = exc.context, exc.problem_mark
    unclosed = "end of stream" in problem or str(context or "").startswith("while parsing a flow")
    if exc.context_mark is not None and (mark is None or unclosed):
        mark = exc.context_mark
    line = mark.line + 1 if mark is not None else None
    text = f"YAML syntax: {problem}" + (f" ({context})" if context else "")
    return line, text


def line_of(value: Any, default: int | None = None) -> int | None:
    """The line a loaded mapping started on, if known."""
    return getattr(value, "line", default)


def line_of_key(mapping: Any, key: Any) -> int | None:
    """The line of ``key`` in a loaded mapping (the mapping's own line if the key is absent)."""
    lines = getattr(mapping, "key_lines", None)
    if isinstance(lines, dict) and key in lines:
        return int(lines[key])
    return line_of(mapping)
