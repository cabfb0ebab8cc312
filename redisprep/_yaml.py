"""Load YAML files with line numbers attached, so every complaint can say ``file:line``."""

from __future__ import annotations

import bisect
import reprlib
from pathlib import Path
from typing import Any

from redisprep.errors import DataFormatError


class Node(dict[Any, Any]):
    """A YAML mapping that remembers the (1-based) line it started on, and the line of each key."""

    line: int = 0
    key_lines: dict[Any, int]


#: Deepest nesting accepted; real decks and metadata stay under 10 levels.
MAX_DEPTH = 100
#: Most values a document may hold once its aliases are expanded (a "billion laughs" guard).
MAX_VALUES = 1_000_000


def load_yaml(path: Path) -> Any:
    """Parse ``path``; mappings come back as :class:`Node` with a ``line``.

    Only plain data comes back (the safe loader's types). Documents that would turn into huge or
    endless data downstream are refused here: aliases that expand past :data:`MAX_VALUES` values,
    an alias inside the node it names, or nesting deeper than :data:`MAX_DEPTH`.

    Raises:
        DataFormatError: The file cannot be read or is not valid YAML (with its line).
    """
    import yaml

    where = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataFormatError(where, None, f"cannot read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataFormatError(
            where, line, f"not UTF-8 text: {exc.reason} (byte {raw[exc.start]:#04x})"
        ) from None
    try:
        # libyaml builds the node tree; _Builder turns it into values (2-3x faster than PyYAML's
        # constructor with a custom mapping hook, which matters for thousands of flashcards).
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        if root is None:
            return None
        lines = _Lines(text)
        _check_shape(where, root, lines)
        return _Builder(where, lines).build(root)
    except yaml.MarkedYAMLError as exc:
        raise DataFormatError(where, *_syntax_problem(exc, _Lines(text))) from None
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        char = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise DataFormatError(where, line, f"YAML: character U+{char:04X} is not allowed") from None
    except yaml.YAMLError as exc:
        raise DataFormatError(where, None, f"YAML: {exc}") from None
    except RecursionError:  # only without libyaml, whose parser stops at 1000 levels itself
        raise DataFormatError(where, None, f"nested more than {MAX_DEPTH} levels deep") from None


def _check_shape(where: str, root: Any, lines: _Lines) -> None:
    """Refuse recursive aliases, nesting past :data:`MAX_DEPTH` and expansions past :data:`MAX_VALUES`.

    Walks the composed node graph once, iteratively, counting each shared (aliased) node's
    expanded size without expanding it.
    """
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    open_nodes: set[int] = set()  # on the current path: seeing one again means a cycle
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        children = _children(node)
        if finished:
            open_nodes.discard(key)
            size[key] = 1 + sum(size.get(id(c), 1) for c in children)
            depth[key] = 1 + max((depth.get(id(c), 0) for c in children), default=0)
            if depth[key] > MAX_DEPTH:
                raise DataFormatError(where, lines.of(node), f"nested more than {MAX_DEPTH} levels deep")
            if size[key] > MAX_VALUES:
                raise DataFormatError(
                    where, lines.of(node), f"aliases expand this to more than {MAX_VALUES:,} values"
                )
        elif key in open_nodes:
            raise DataFormatError(where, lines.of(node), "an alias refers to the node that contains it")
        elif key not in size and children:
            open_nodes.add(key)
            stack.append((node, True))
            stack.extend((c, False) for c in children if _children(c))


def _children(node: Any) -> list[Any]:
    value = node.value
    if not isinstance(value, list):
        return []  # a scalar
    if value and isinstance(value[0], tuple):
        return [n for pair in value for n in pair]
    return list(value)


class _Lines:
    """1-based line numbers as an editor counts them: only ``\\n`` ends a line.

    YAML also ends lines at ``\\r``, U+0085, U+2028 and U+2029, and puts the end of the stream on a
    line of its own, so its ``mark.line`` can run past the file's last line.
    """

    def __init__(self, text: str) -> None:
        self.exact = not any(c in text for c in "\r\x85\u2028\u2029")
        self._breaks: list[int] | None = None
        self._text = text

    def of(self, node: Any) -> int:
        """The line where ``node`` starts."""
        return self.at(node.start_mark)

    def at(self, mark: Any, *, fast: bool = False) -> int:
        """The line of ``mark``; ``fast`` trusts YAML's own count when the file has only ``\\n``."""
        if fast and self.exact:
            return int(mark.line) + 1
        if self._breaks is None:
            self._breaks = [i for i, c in enumerate(self._text) if c == "\n"]
        return bisect.bisect_left(self._breaks, mark.index) + 1


class _Builder:
    """Values from a composed node tree, as the safe loader would give them, with line numbers."""

    def __init__(self, path: str, lines: _Lines) -> None:
        import yaml

        self.path = path
        self.lines = lines
        self.scalars = yaml.constructor.SafeConstructor()
        self.built: dict[int, Any] = {}  # aliases share one value (and cannot recurse forever)
        self.scalar_node, self.sequence_node = yaml.nodes.ScalarNode, yaml.nodes.SequenceNode
        self.mapping_node = yaml.nodes.MappingNode

    def build(self, node: Any) -> Any:
        cls = node.__class__
        if cls is self.scalar_node and node.tag == _STR_TAG:
            return node.value  # plain text is most of a deck: skip the constructor machinery for it
        if id(node) in self.built:
            return self.built[id(node)]
        if cls is self.sequence_node and node.tag == _SEQ_TAG:
            items: list[Any] = []
            self.built[id(node)] = items
            items.extend([self.build(n) for n in node.value])
            return items
        if cls is self.mapping_node and node.tag == _MAP_TAG:
            return self._mapping(node)
        return self._construct(node)

    def _construct(self, node: Any) -> Any:
        """Numbers, booleans, dates, sets, omaps: the safe constructor's way, errors with a line."""
        import yaml

        try:
            return self.scalars.construct_object(node, deep=True)
        except yaml.YAMLError:
            raise
        except (ValueError, TypeError, LookupError, AttributeError, ArithmeticError) as exc:
            # The safe constructor trusts a resolved tag: 2001-02-30 looks like a date, !!int x
            # claims to be a number, a 5000-digit integer is past Python's conversion limit.
            tag = str(node.tag).replace("tag:yaml.org,2002:", "!!")
            reason = f" ({str(exc).split(':')[0]})" if isinstance(exc, ValueError) else ""
            problem = f"cannot read {brief(node.value)} as {tag}{reason}"
            raise DataFormatError(self.path, self.lines.of(node), problem) from None

    def _mapping(self, node: Any) -> Node:
        if any(k.tag == _MERGE_TAG for k, _ in node.value):
            self.scalars.flatten_mapping(node)
        mapping = Node()
        mapping.key_lines = lines = {}
        mapping.line = self.lines.at(node.start_mark, fast=True)
        self.built[id(node)] = mapping
        for key_node, value_node in node.value:
            key = self.build(key_node)
            line = self.lines.at(key_node.start_mark, fast=True)
            if not isinstance(key, str | int | float | bool | None):
                raise DataFormatError(self.path, line, "mapping key must be text")
            if key in lines:
                raise DataFormatError(self.path, line, f"duplicate key {brief(key)}")
            mapping[key] = self.build(value_node)
            lines[key] = line
        return mapping


_STR_TAG = "tag:yaml.org,2002:str"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"
_MERGE_TAG = "tag:yaml.org,2002:merge"


def _syntax_problem(exc: Any, lines: _Lines) -> tuple[int | None, str]:
    """The line to blame and the text. An unclosed quote or bracket is reported where it opened."""
    problem = exc.problem or "invalid YAML"
    context, mark = exc.context, exc.problem_mark
    unclosed = "end of stream" in problem or str(context or "").startswith("while parsing a flow")
    if exc.context_mark is not None and (mark is None or unclosed):
        mark = exc.context_mark
    line = lines.at(mark) if mark is not None else None
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


def brief(value: Any) -> str:
    """A short ``repr`` for messages: long text, big lists and deep or shared data are cut."""

    short = reprlib.Repr()
    short.maxstring, short.maxother, short.maxlevel = 60, 60, 3
    short.maxlist = short.maxtuple = short.maxdict = short.maxset = 6
    return short.repr(value)
