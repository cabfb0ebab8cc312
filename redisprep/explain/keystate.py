"""The state of one key at one moment: type, size, encoding and memory, read or modelled."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Source = Literal["read", "modelled", "predicted"]

#: The O(1) command that gives a key's size, by type (what N usually means in the docs).
CARD_COMMANDS = {
    "string": "STRLEN",
    "list": "LLEN",
    "set": "SCARD",
    "zset": "ZCARD",
    "hash": "HLEN",
    "stream": "XLEN",
}

#: The key type a command group works on (for the size command of a key that does not exist yet).
GROUP_TYPES = {
    "string": "string",
    "bitmap": "string",
    "hyperloglog": "string",
    "list": "list",
    "set": "set",
    "sorted-set": "zset",
    "geo": "zset",
    "hash": "hash",
    "stream": "stream",
}


#: The size of a key whose size cannot be observed (a HyperLogLog on the embedded backend).
UNKNOWN_SIZE = -1
#: The type of a predicted key whose state the model cannot tell (it may or may not exist afterwards).
NOT_PREDICTED = "unknown"


@dataclass(frozen=True, slots=True)
class KeyState:
    """One key as explain saw it just before or just after a command."""

    key: str
    type: str
    """What ``TYPE`` answers (``none`` when the key does not exist)."""
    size: int
    """Elements (or bytes, for a string); 0 when absent; :data:`UNKNOWN_SIZE` when not observable."""
    encoding: str | None
    """``OBJECT ENCODING`` (read) or the model's answer; None when absent or unknown."""
    memory: int | None
    """``MEMORY USAGE`` in bytes (read, sampled) or the model's estimate; None when unknown."""
    source: Source
    """``read`` from the server, ``modelled`` from contents and thresholds, or ``predicted`` for a
    write that was not run."""

    @property
    def exists(self) -> bool:
        """Whether the key held a value."""
        return self.type != "none"

    @property
    def not_predicted(self) -> bool:
        """A predicted after-state the model could not tell: it claims nothing, not even absence."""
        return self.source == "predicted" and self.encoding is None and self.type != "none"

    def describe(self) -> str:
        """``zset, 129 elements, skiplist, 15.4 KB`` (or ``absent``)."""
        if not self.exists:
            return "absent"
        if self.type not in CARD_COMMANDS:
            return f"{self.type} (a module's type: size and encoding not known)"
        unit = ("byte" if self.type == "string" else "element") + ("" if self.size == 1 else "s")
        size = "size unknown" if self.size == UNKNOWN_SIZE else f"{self.size} {unit}"
        parts = [self.type, size, self.encoding or "encoding unknown"]
        if self.memory is not None:
            parts.append(human_bytes(self.memory))
        return ", ".join(parts)


def absent(key: str, source: Source) -> KeyState:
    """The state of a key that does not exist."""
    return KeyState(key, "none", 0, None, None, source)


def human_bytes(n: float) -> str:
    """``980 B``, ``15.4 KB``, ``2.1 MB``."""
    if n < 1024:
        return f"{n:.0f} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n / 1024 / 1024:.1f} MB"
