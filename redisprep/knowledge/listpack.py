"""How Redis sizes a listpack and when it stores a string as an integer (``src/listpack.c``, ``util.c``)."""

from __future__ import annotations

from collections.abc import Iterable

LISTPACK_EMPTY = 7  # 6-byte header and the end byte
_INT64 = (-(2**63), 2**63 - 1)


def is_int64(text: str) -> bool:
    """Whether Redis would store ``text`` as an integer: canonical form, no sign on 0, in int64."""
    if not text or len(text) > 20:
        return False
    body = text[1:] if text[0] == "-" else text
    if not body.isdigit() or not body.isascii() or (len(body) > 1 and body[0] == "0"):
        return False
    if text == "-0":
        return False
    return _INT64[0] <= int(text) <= _INT64[1]


def lp_entry_size(text: str) -> int:
    """Bytes one listpack entry takes: encoding byte(s), data, and the back-length."""
    if is_int64(text):
        v = int(text)
        body = (
            1
            if 0 <= v <= 127
            else 2
            if -4096 <= v <= 4095
            else 3
            if -(2**15) <= v < 2**15
            else 4
            if -(2**23) <= v < 2**23
            else 5
            if -(2**31) <= v < 2**31
            else 9
        )
    else:
        n = len(text.encode("utf-8", "surrogateescape"))
        body = (1 if n < 64 else 2 if n < 4096 else 5) + n
    back = 1 if body < 128 else 2 if body < 16384 else 3 if body < 2097152 else 4
    return body + back


def listpack_bytes(entries: Iterable[tuple[str, ...]], count: int, complete: bool = True) -> int:
    """Bytes of a listpack holding ``count`` entries (extrapolated from a sample when incomplete)."""
    sizes = [sum(lp_entry_size(s) for s in e) for e in entries]
    if not sizes:
        return LISTPACK_EMPTY
    total = sum(sizes) if complete else sum(sizes) / len(sizes) * count
    return LISTPACK_EMPTY + round(total)
