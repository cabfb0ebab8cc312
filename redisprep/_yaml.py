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

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFormatError(str(path), None, f"cannot read: {exc}") from None
    try:
        # libyaml builds the node tree; _Builder turns it into values (2-3x faster than PyYAML's
        # constructor with a custom mapping hook, which matters for thousands of flashcards).
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        return None if root is None else _Builder(str(path)).build(root)
    except yaml.MarkedYAMLError as exc:
        raise DataFormatError(str(path), *_syntax_problem(exc)) from None
    except yaml.YAMLError as exc:
        raise DataFormatError(str(path), None, f"YAML: {exc}") from None


class _Builder:
    """Values from a composed node tree, as the safe loader would give them, with line numbers."""

    def __init__(self, path: str) -> None:
        import yaml

        self.path = path
        self.scalars = yaml.constructor.SafeConstructor()
        self.built: dict[int, Any] = {}  # aliases share one value (and cannot recurse forever)
        self.scalar_node, self.sequence_node = yaml.nodes.ScalarNode, yaml.nodes.SequenceNode
        self.mapping_node = yaml.nodes.MappingNode

    def build(self, node: Any) -> Any:
        cls = node.__class__
        if cls is self.scalar_node:
            # Plain text is most of a deck: skip the constructor machinery for it.
            return node.value if node.tag == _STR_TAG else self.scalars.construct_object(node)
        if id(node) in self.built:
            return self.built[id(node)]
        if cls is self.sequence_node:
            items: list[Any] = []
            self.built[id(node)] = items
            items.extend([self.build(n) for n in node.value])
            return items
        if cls is not self.mapping_node or node.tag != _MAP_TAG:
            return self.scalars.construct_object(node, deep=True)  # sets, omaps, other tags: the safe way
        return self._mapping(node)

    def _mapping(self, node: Any) -> Node:
        if any(k.tag == _MERGE_TAG for k, _ in node.value):
            self.scalars.flatten_mapping(node)
        mapping = Node()
        mapping.key_lines = lines = {}
        mapping.line = node.start_mark.line + 1
        self.built[id(node)] = mapping
        for key_node, value_node in node.value:
            key = self.build(key_node)
            line = key_node.start_mark.line + 1
            if not isinstance(key, str | int | float | bool | None):
                raise DataFormatError(self.path, line, "mapping key must be text")
            if key in lines:
                raise DataFormatError(self.path, line, f"duplicate key {key!r}")
            mapping[key] = self.build(value_node)
            lines[key] = line
        return mapping


_STR_TAG = "tag:yaml.org,2002:str"
_MAP_TAG = "tag:yaml.org,2002:map"
_MERGE_TAG = "tag:yaml.org,2002:merge"


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
