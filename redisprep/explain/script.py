"""Read a Lua script (or a function library) and find the Redis commands it calls.

Only what is written is found: ``redis.call('ZRANGE', KEYS[1], ...)`` and ``redis.pcall(...)`` with a
literal command name. A name built at run time is reported as dynamic; a call inside a loop is one
call site. Comments are skipped; strings are respected.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

_CALL = re.compile(r"\bredis\s*\.\s*(p?call)\s*\(")
_LITERAL = re.compile(r"""^(['"])(.*)\1$""", re.DOTALL)
_KEYS = re.compile(r"^(?:KEYS|keys)\s*\[\s*(\d+)\s*\]$")
_ARGV = re.compile(r"^(?:ARGV|args)\s*\[\s*(\d+)\s*\]$")
_REGISTER = re.compile(
    r"""redis\s*\.\s*register_function\s*\(?\s*(?:\{[^}]*?function_name\s*=\s*)?['"]([^'"]+)['"]"""
)


@dataclass(frozen=True, slots=True)
class ScriptCall:
    """One ``redis.call``/``redis.pcall`` site in a script."""

    command: str | None
    """The command word(s) in upper case (``ZRANGE``; ``XGROUP CREATE``), or None when dynamic."""
    args: tuple[str, ...]
    """The argument expressions as written (``KEYS[1]``, ``'REV'``, ``ARGV[2]``), command first."""
    line: int
    """1-based line of the call."""
    protected: bool
    """``redis.pcall``: an error comes back as a value instead of aborting the script."""

    def resolve(self, keys: Sequence[str], argv: Sequence[str]) -> tuple[str, ...]:
        """The call's arguments with ``KEYS[i]``/``ARGV[i]`` and literals replaced by their values."""
        out = []
        for expr in self.args:
            literal = _LITERAL.match(expr)
            key, arg = _KEYS.match(expr), _ARGV.match(expr)
            if literal:
                out.append(literal.group(2))
            elif key and int(key.group(1)) <= len(keys):
                out.append(keys[int(key.group(1)) - 1])
            elif arg and int(arg.group(1)) <= len(argv):
                out.append(argv[int(arg.group(1)) - 1])
            elif expr.lstrip("-").isdigit():
                out.append(expr)
            else:
                out.append("?")
        return tuple(out)


def strip_comments(source: str) -> str:
    """``source`` with Lua comments replaced by spaces (newlines kept, so line numbers hold)."""
    out: list[str] = []
    i, n = 0, len(source)
    quote: str | None = None
    while i < n:
        ch = source[i]
        if quote:
            out.append(ch)
            if ch == "\\" and i + 1 < n:
                out.append(source[i + 1])
                i += 2
                continue
            if ch == quote:
                quote = None
            i += 1
        elif ch in "'\"":
            quote = ch
            out.append(ch)
            i += 1
        elif source.startswith("--", i):
            long = re.match(r"--\[(=*)\[", source[i:])
            end = (
                source.find(f"]{long.group(1)}]", i) + len(long.group(1)) + 2
                if long
                else source.find("\n", i)
            )
            end = n if end < i + 2 else end
            out.append("".join(c if c == "\n" else " " for c in source[i:end]))
            i = end
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _blank_strings(text: str) -> str:
    """``text`` with the inside of every quoted string blanked (same length), so code matches only."""
    out, quote, i = [], None, 0
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\" and i + 1 < len(text):
                out.append("  ")
                i += 2
                continue
            out.append(ch if ch == quote or ch == "\n" else " ")
            quote = None if ch == quote else quote
        else:
            quote = ch if ch in "'\"" else None
            out.append(ch)
        i += 1
    return "".join(out)


def _arguments(text: str, start: int) -> tuple[list[str], int]:
    """Split the call's arguments at top-level commas, from ``start`` (just after the ``(``)."""
    parts, depth, quote, current, i = [], 0, None, [], start
    while i < len(text):
        ch = text[i]
        if quote:
            current.append(ch)
            if ch == "\\" and i + 1 < len(text):
                current.append(text[i + 1])
                i += 1
            elif ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
            current.append(ch)
        elif ch in "([{":
            depth += 1
            current.append(ch)
        elif ch in ")]}":
            if depth == 0:
                parts.append("".join(current).strip())
                return [p for p in parts if p], i
            depth -= 1
            current.append(ch)
        elif ch == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
        i += 1
    return [p for p in parts if p], i


def read_script(source: str, containers: frozenset[str] = frozenset()) -> list[ScriptCall]:
    """Every command call site in ``source``, in order.

    Args:
        source: Lua source of an EVAL script or a function library.
        containers: Command names that take a subcommand (``XGROUP``), to name ``XGROUP CREATE``.
    """
    text = strip_comments(source)
    calls = []
    for match in _CALL.finditer(_blank_strings(text)):
        args, _ = _arguments(text, match.end())
        line = text.count("\n", 0, match.start()) + 1
        name = None
        first = _LITERAL.match(args[0]) if args else None
        if first:
            name = first.group(2).upper()
            second = _LITERAL.match(args[1]) if len(args) > 1 else None
            if name in containers and second:
                name = f"{name} {second.group(2).upper()}"
        calls.append(ScriptCall(name, tuple(args), line, match.group(1) == "pcall"))
    return calls


def registered_functions(source: str) -> list[str]:
    """Names of the functions a ``FUNCTION LOAD`` library registers (their calls are read library-wide)."""
    return [m.group(1) for m in _REGISTER.finditer(strip_comments(source))]


@functools.cache
def library_scripts() -> dict[str, str]:
    """Scripts client libraries send by SHA only (redis-py's Lock), keyed by their SHA1.

    A server that already caches them answers EVALSHA without a SCRIPT LOAD in the trace, and a
    library object may load them once per process; knowing the bodies lets explain read them anyway.
    """
    from redis.lock import Lock

    bodies = (Lock.LUA_RELEASE_SCRIPT, Lock.LUA_EXTEND_SCRIPT, Lock.LUA_REACQUIRE_SCRIPT)
    return {hashlib.sha1(body.encode()).hexdigest(): body for body in bodies}
