"""Replies as redis-cli shows them: read from redis-py, compare with what a card expects, print."""

from __future__ import annotations

import re
import shlex
from typing import Any

from redisprep.quiz.model import ErrorReply, Reply

_STATUS = frozenset({"OK", "QUEUED", "PONG"})
_NIL_WORDS = frozenset({"nil", "(nil)", "null", "none"})
_MARKERS = re.compile(r"\((?:integer|error)\)|\binteger\b(?=\s+-?\d)", re.IGNORECASE)
_EMPTY = re.compile(r"\((?:empty array|empty list or set)\)|\bempty\b", re.IGNORECASE)
_CODE_WORD = re.compile(r"[A-Z][A-Z_-]+ ")
_NUMBERING = re.compile(r"(?:(?<=\s)|^)\d+\)(?=\s)")


def from_client(value: Any) -> Reply:
    """A raw RESP2 reply from redis-py (no response callbacks) as a :data:`Reply`."""
    if isinstance(value, bool):
        return int(value)
    if value is None or isinstance(value, int | str):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, list | tuple):
        return tuple(from_client(v) for v in value)
    if isinstance(value, dict):  # only a RESP3 map could give this; flatten as RESP2 would
        return tuple(from_client(x) for kv in value.items() for x in kv)
    if isinstance(value, BaseException):
        return from_error(value)
    return str(value)


def _float_text(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


def from_error(exc: BaseException) -> ErrorReply:
    """An error reply, with the code (``ERR``) that redis-py strips put back."""
    text = str(exc).strip()
    code = getattr(exc, "status_code", None) or _stripped_code(exc, text)
    return ErrorReply(f"{code} {text}" if code and not text.startswith(str(code)) else text)


def _stripped_code(exc: BaseException, text: str) -> str | None:
    """The code redis-py < 6 cut off without keeping it (it has no ``status_code``).

    Those releases cut a code only when it is one of their parser's ``EXCEPTION_CLASSES`` and keep
    any other (``WRONGTYPE ...``) in the text; the class they raised names the code, and a plain
    ResponseError without a code word of its own lost ``ERR``.
    """
    from redis._parsers.base import BaseParser
    from redis.exceptions import ResponseError

    for code, kind in BaseParser.EXCEPTION_CLASSES.items():
        if isinstance(kind, type) and type(exc) is kind and kind is not ResponseError:
            return str(code)
    if type(exc) is ResponseError and not _CODE_WORD.match(text):
        return "ERR"
    return None


def matches(expected: Reply, actual: Reply) -> bool:
    """Whether ``actual`` is the reply ``expected`` describes (an expected error matches by its text)."""
    if isinstance(expected, ErrorReply):
        return isinstance(actual, ErrorReply) and expected.text.casefold() in actual.text.casefold()
    if isinstance(expected, tuple):
        return (
            isinstance(actual, tuple)
            and len(expected) == len(actual)
            and all(matches(e, a) for e, a in zip(expected, actual, strict=True))
        )
    return type(expected) is type(actual) and expected == actual


def redis_cli(reply: Reply, indent: int = 0) -> str:
    """Format ``reply`` the way ``redis-cli`` prints it (``(integer) 3``, ``(nil)``, numbered lists)."""
    if isinstance(reply, bool):
        return f"(integer) {int(reply)}"
    if isinstance(reply, int):
        return f"(integer) {reply}"
    if reply is None:
        return "(nil)"
    if isinstance(reply, ErrorReply):
        return f"(error) {reply.text}"
    if isinstance(reply, str):
        return reply if reply in _STATUS else _quoted(reply)
    if not reply:
        return "(empty array)"
    width = len(str(len(reply)))
    lines = []
    for i, item in enumerate(reply, 1):
        label = f"{i:>{width}})"
        body = redis_cli(item, indent + len(label) + 1)
        prefix = "" if i == 1 else " " * indent
        lines.append(f"{prefix}{label} {body}")
    return "\n".join(lines)


def _quoted(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


def as_yaml(reply: Reply) -> str:
    """Inline YAML for a reply, as a deck would write it (``105``, ``"105"``, ``null``, ``[a, b]``)."""
    if reply is None:
        return "null"
    if isinstance(reply, int):
        return str(reply)
    if isinstance(reply, ErrorReply):
        return f"{{error: {_quoted(reply.text)}}}"
    if isinstance(reply, str):
        return _quoted(reply)
    return "[" + ", ".join(as_yaml(r) for r in reply) + "]"


def prediction_matches(text: str, expected: Reply) -> bool:
    """Whether a typed prediction says the same as ``expected``.

    Accepts redis-cli's own output (``(integer) 3``, ``1) "a"``, ``(nil)``, ``(empty array)``) and
    plain forms (``3``, ``a b``, ``nil``, ``[a, b]``); compares the values in order, ignoring case.
    """
    if isinstance(expected, ErrorReply):
        code = expected.text.split()[0].casefold() if expected.text.split() else "err"
        said = text.casefold()
        return code in said or (code == "err" and "error" in said)
    return " ".join(_words(text)) == " ".join(w.casefold() for w in _flatten(expected))


def _flatten(reply: Reply) -> list[str]:
    if reply is None:
        return ["nil"]
    if isinstance(reply, tuple):
        return [w for item in reply for w in _flatten(item)]
    return [str(reply.text if isinstance(reply, ErrorReply) else reply)]


def _words(text: str) -> list[str]:
    text = _EMPTY.sub(" ", _MARKERS.sub(" ", text.replace("(nil)", " nil ")))
    text = _NUMBERING.sub(" ", " " + text)
    text = re.sub(r"[\[\],]", " ", text)
    try:
        words = shlex.split(text)
    except ValueError:
        words = text.split()
    out = []
    for word in words:
        word = word.strip()
        if word:
            out.append("nil" if word.casefold() in _NIL_WORDS else word.casefold())
    return out
