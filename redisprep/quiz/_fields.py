"""Read typed fields out of a loaded YAML mapping, collecting ``file:line`` problems instead of raising."""

from __future__ import annotations

import difflib
import re
import shlex
from pathlib import Path
from typing import Any

from redisprep._yaml import brief, line_of, line_of_key, load_yaml
from redisprep.errors import DataFormatError
from redisprep.quiz.model import ErrorReply, Problem, Reply, Where

NAME = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
_QUOTING = re.compile(r"[\"'\\#]")


class Fields:
    """One mapping being read; every problem found is appended to a shared list.

    Each getter returns None (and records a problem) when the field is missing or malformed, so a
    caller can read all fields, then give up on the card if any were bad.
    """

    def __init__(self, node: Any, path: str, problems: list[Problem]) -> None:
        self.node = node
        self.path = path
        self.problems = problems
        self.failed = False

    def where(self, key: str | None = None) -> Where:
        """The line of ``key`` (or of the mapping itself)."""
        line = line_of(self.node) if key is None else line_of_key(self.node, key)
        return Where(self.path, line)

    def problem(self, key: str | None, text: str) -> None:
        """Record a problem at the line of ``key``."""
        self.failed = True
        self.problems.append(Problem(self.where(key), text))

    def lines(self) -> dict[str, int]:
        """The line of every key, for problems found later."""
        return dict(getattr(self.node, "key_lines", {}))

    def only(self, allowed: tuple[str, ...], what: str) -> None:
        """Flag keys that are not in ``allowed`` (typos such as ``anwser``)."""

        for key in self.node:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), allowed, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                self.problem(str(key), f"unknown field {brief(key)} for {what}{hint}")

    def require(self, key: str) -> bool:
        """Whether ``key`` is present; records ``missing field`` at the mapping's line if not."""
        if key in self.node:
            return True
        self.problem(None, f"missing field {key!r}")
        return False

    def text(self, key: str, *, required: bool = True, scalar_ok: bool = False) -> str | None:
        """Non-empty text, whitespace kept as written. ``scalar_ok`` accepts numbers as text."""
        if key not in self.node:
            if required:
                self.require(key)
            return None
        value = self.node[key]
        if type(value) is str and value.strip():  # the usual case, first
            return value.strip()
        if scalar_ok and isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, bool):
            self.problem(key, f"{key!r} must be non-empty text (YAML read a boolean: quote the word)")
            return None
        if not isinstance(value, str) or not value.strip():
            self.problem(key, f"{key!r} must be non-empty text")
            return None
        return value.strip()

    def name(self, key: str, *, required: bool = True) -> str | None:
        """Text made of ``a-z``, digits and dashes (ids, tags, drill names)."""
        value = self.text(key, required=required)
        if value is not None and not NAME.match(value):
            self.problem(key, f"{key!r} must be lower-case letters, digits and dashes, not {brief(value)}")
            return None
        return value

    def texts(self, key: str, *, required: bool = True, low: int = 0, high: int = 1000) -> tuple[str, ...]:
        """A list of non-empty texts, ``low`` to ``high`` long."""
        if key not in self.node:
            if required:
                self.require(key)
            return ()
        value = self.node[key]
        items = value if isinstance(value, list) else None
        if items is not None and all(type(v) is str and v.strip() for v in items):
            pass  # the usual case: a list of text
        elif items is None or not all(_is_text(v) for v in items):
            self.problem(key, f"{key!r} must be a list of text")
            return ()
        if not low <= len(items) <= high:
            self.problem(key, f"{key!r} must have {low} to {high} items, not {len(items)}")
            return ()
        return tuple(str(v).strip() for v in items)

    def command(self, key: str, value: Any = None) -> str | None:
        """A redis-cli style command line (checked to split like redis-cli would)."""
        text = self.text(key) if value is None else value
        if text is None:
            return None
        problem = command_problem(text)
        if problem:
            self.problem(key, f"{key!r}: {problem}")
            return None
        return str(text)

    def reply(self, key: str, value: Any) -> tuple[bool, Reply]:
        """A reply written as redis-cli prints it; returns (ok, reply)."""
        try:
            return True, to_reply(value)
        except ValueError as exc:
            self.problem(key, f"{key!r}: {exc}")
            return False, None


def open_mapping(path: Path, problems: list[Problem], shape: str) -> Fields | None:
    """Load a YAML file whose top is a mapping, as :class:`Fields`; None (problem recorded) if not.

    Args:
        path: The file.
        problems: Where to append the problem.
        shape: What the mapping holds, for the message ("a deck must be a mapping with ...").
    """
    try:
        doc = load_yaml(path)
    except DataFormatError as exc:
        problems.append(Problem(Where(exc.path, exc.line), exc.problem))
        return None
    if not isinstance(doc, dict):
        problems.append(Problem(Where(str(path), 1), shape))
        return None
    return Fields(doc, str(path), problems)


def _is_text(value: Any) -> bool:
    return isinstance(value, str | int) and not isinstance(value, bool) and bool(str(value).strip())


def command_problem(text: Any) -> str | None:
    """Why ``text`` is not one command line, or None."""
    if not isinstance(text, str) or not text.strip():
        return "a command must be non-empty text"
    if not _QUOTING.search(text):
        return None  # nothing for shlex to get wrong (most commands): skip the slow split
    try:
        argv = shlex.split(text)
    except ValueError as exc:
        return f"cannot split {brief(text)} like redis-cli: {exc}"
    return None if argv else "a command must be non-empty text"


def to_reply(value: Any) -> Reply:
    """Turn a YAML value into a reply: int, text, null, list, or ``{error: TEXT}``.

    Raises:
        ValueError: A float or a boolean (redis-cli prints those as text: quote them), or any
            other shape.
    """
    if isinstance(value, bool):
        raise ValueError(f"{brief(value)} is a YAML boolean; write 1 or 0, or quote the text")
    if isinstance(value, int) or value is None:
        return value
    if isinstance(value, float):
        raise ValueError(f'write {value!r} as text ("{value}"): Redis replies with floats as bulk strings')
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return tuple(to_reply(v) for v in value)
    if isinstance(value, dict) and set(value) == {"error"} and isinstance(value["error"], str):
        return ErrorReply(value["error"])
    raise ValueError(f"cannot read {brief(value)} as a reply (int, text, null, list or {{error: TEXT}})")
