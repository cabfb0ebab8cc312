"""How to measure the N, M (and other letters) of a complexity for one call.

A :class:`Measure` reads one number from a :class:`Call`: the size of a key just before the call,
the number of elements in the reply, the number of arguments given, and so on. Selectors
(:func:`span`, :func:`numkeys`) say which arguments a letter counts (a STORE's sources, not its
destination); the command's keys themselves come from :mod:`redisprep.knowledge.keyspecs`.
``costs/`` combines them into the per-command table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from redisprep.explain.keystate import CARD_COMMANDS, UNKNOWN_SIZE, KeyState
from redisprep.knowledge.keyspecs import command_keys

KeySpec = Callable[[Sequence[str]], list[int]]


def all_keys(argv: Sequence[str]) -> list[int]:
    """Every key the command names (its key specs): the default selector of :func:`key_count`."""
    found = command_keys(argv)
    return list(found.positions) if found is not None else []


@dataclass(frozen=True, slots=True)
class Call:
    """One command with the key states probed around it."""

    argv: tuple[str, ...]
    reply: Any = None
    before: Mapping[str, KeyState] = field(default_factory=dict)
    after: Mapping[str, KeyState] = field(default_factory=dict)
    extras: Mapping[str, int] = field(default_factory=dict)
    """Server-wide figures probed for the call (``dbsize``)."""
    type_hint: str | None = None
    """The key type the command works on (``zset`` for ZADD), for keys that do not exist yet."""
    executed: bool = True
    """False when a write was costed from probes without running it (no reply, no after state)."""

    def arg(self, pos: int) -> str | None:
        """Argument ``pos`` (0 is the command name), or None."""
        return self.argv[pos] if 0 <= pos < len(self.argv) else None

    def card(self, key: str) -> str:
        """``ZCARD lb`` for a key: the command that gives its size."""
        state = self.before.get(key)
        kind = state.type if state is not None and state.exists else self.type_hint
        return f"{CARD_COMMANDS.get(kind or '', 'size of')} {key}"


@dataclass(frozen=True, slots=True)
class Measure:
    """One letter of a complexity: how to read it and how to say what it was."""

    text: Callable[[Call], str]
    value: Callable[[Call], int | None]


def _int(text: str | None) -> int | None:
    try:
        return None if text is None else int(text)
    except ValueError:
        return None


def size(pos: int) -> Measure:
    """Size of the key at argument ``pos`` just before the call (``ZCARD lb``)."""

    def value(c: Call) -> int | None:
        key = c.arg(pos)
        state = c.before.get(key) if key is not None else None
        return None if state is None or state.size < 0 else state.size

    return Measure(lambda c: f"{c.card(c.arg(pos) or '?')} before the call", value)


def sizes(keys: KeySpec, how: str = "sum") -> Measure:
    """Sum (or ``min``, or ``max``) of the sizes of several keys before the call."""

    def value(c: Call) -> int | None:
        states = [c.before.get(c.argv[p]) for p in keys(c.argv)]
        found = [s.size for s in states if s is not None and s.size >= 0]
        if not found or len(found) < len(states):
            return None
        return sum(found) if how == "sum" else min(found) if how == "min" else max(found)

    label = {
        "sum": "total elements of the input keys",
        "min": "size of the smallest input",
        "max": "size of the longest input",
    }[how]
    return Measure(lambda c: f"{label} before the call", value)


def removed(pos: int) -> Measure:
    """Elements the call removed from the key at ``pos`` (size before minus size after)."""

    def value(c: Call) -> int | None:
        key = c.arg(pos)
        before, after = c.before.get(key or ""), c.after.get(key or "")
        if before is None or after is None or after.not_predicted:
            return None
        if UNKNOWN_SIZE in (before.size, after.size):
            return None
        return max(0, before.size - after.size)

    return Measure(lambda c: f"elements removed from {c.arg(pos)}", value)


def key_count(keys: KeySpec = all_keys, label: str = "keys given") -> Measure:
    """How many keys the call names."""
    return Measure(lambda c: label, lambda c: len(keys(c.argv)))


def args(start: int, step: int = 1, label: str = "arguments given", stop: int = 0) -> Measure:
    """How many items the arguments from ``start`` hold (``step`` words per item)."""

    def value(c: Call) -> int | None:
        end = len(c.argv) + stop if stop <= 0 else stop
        return max(0, (end - start + step - 1) // step)

    return Measure(lambda c: label, value)


def arg_len(pos: int, label: str) -> Measure:
    """Length in bytes of argument ``pos``."""
    return Measure(lambda c: label, lambda c: len((c.arg(pos) or "").encode()))


def count_arg(pos: int, label: str) -> Measure:
    """The absolute value of a count argument (None when it is not given)."""

    def value(c: Call) -> int | None:
        n = _int(c.arg(pos))
        return None if n is None else abs(n)

    return Measure(lambda c: label, value)


def option_value(token: str, default: int, label: str, start: int = 1) -> Measure:
    """The number after option ``token`` (``COUNT 25``), or the server's ``default`` when not given."""

    def value(c: Call) -> int | None:
        words = [w.upper() for w in c.argv]
        for pos in range(start, len(words) - 1):
            if words[pos] == token:
                return _int(c.argv[pos + 1])
        return default

    return Measure(lambda c: label, value)


def words(names: frozenset[str], label: str, start: int = 2) -> Measure:
    """How many arguments from ``start`` are one of ``names`` (BITFIELD's GET, SET and INCRBY)."""
    return Measure(lambda c: label, lambda c: sum(w.upper() in names for w in c.argv[start:]))


def options_then_items(first: int, width: int, options: frozenset[str], label: str) -> Measure:
    """Items of ``width`` words after leading option words (ZADD NX CH 1 a 2 b: 2 items)."""

    def value(c: Call) -> int | None:
        pos = first
        while pos < len(c.argv) and c.argv[pos].upper() in options:
            pos += 1
        return (len(c.argv) - pos) // width

    return Measure(lambda c: label, value)


def returned(label: str = "elements returned") -> Measure:
    """Elements in the reply (pairs count once with WITHSCORES / WITHVALUES)."""
    return Measure(lambda c: label, lambda c: reply_length(c) if c.executed else None)


def reply_length(c: Call) -> int:
    """Number of elements a reply holds, as the docs count them."""
    reply = c.reply
    if reply is None:
        return 0
    if isinstance(reply, str | bytes | int | float):
        return 1
    if isinstance(reply, dict):
        return len(reply)
    items = list(reply)
    flags = {a.upper() for a in c.argv}
    paired = flags & {"WITHSCORES", "WITHVALUES"}
    if paired and items and not isinstance(items[0], list | tuple):
        return len(items) // 2
    return len(items)


def nested_returned(label: str = "elements returned") -> Measure:
    """Elements in ``[[key, [elements]], ...]`` replies (XREAD, LMPOP, ZMPOP)."""

    def value(c: Call) -> int | None:
        if not c.executed:
            return None
        reply = c.reply
        if not reply:
            return 0
        if isinstance(reply, dict):
            return sum(len(v[0]) if v and isinstance(v[0], list) else len(v) for v in reply.values())
        if len(reply) == 2 and isinstance(reply[0], str):  # [key, elements]
            return len(reply[1])
        return sum(len(part[1]) for part in reply if isinstance(part, list | tuple) and len(part) == 2)

    return Measure(lambda c: label, value)


def reply_int(label: str) -> Measure:
    """The reply read as a number (elements removed, stored, receivers)."""

    def value(c: Call) -> int | None:
        return int(c.reply) if c.executed and isinstance(c.reply, int | float) else None

    return Measure(lambda c: label, value)


def reply_strlen(label: str = "length of the returned string") -> Measure:
    """Length of a string reply."""

    def value(c: Call) -> int | None:
        return len(str(c.reply).encode()) if c.executed and c.reply is not None else None

    return Measure(lambda c: label, value)


def extra(name: str, label: str) -> Measure:
    """A server-wide figure probed for the call (``dbsize``)."""
    return Measure(lambda c: label, lambda c: c.extras.get(name))


def custom(label: str, fn: Callable[[Call], int | None]) -> Measure:
    """Anything else, computed from the call."""
    return Measure(lambda c: label, fn)


# --- selectors: which of the keys a letter counts (a STORE's sources, not its destination) ---


def span(start: int, stop: int = 0, step: int = 1) -> KeySpec:
    """Keys from ``start`` to ``stop`` (counted from the end when <= 0), every ``step``."""
    return lambda argv: list(range(start, len(argv) + stop if stop <= 0 else stop, step))


def numkeys(count_at: int) -> KeySpec:
    """``numkeys`` at ``count_at`` followed by that many keys (ZUNIONSTORE's sources, LMPOP)."""

    def spec(argv: Sequence[str]) -> list[int]:
        n = _int(argv[count_at]) if count_at < len(argv) else None
        return list(range(count_at + 1, min(len(argv), count_at + 1 + (n or 0))))

    return spec
