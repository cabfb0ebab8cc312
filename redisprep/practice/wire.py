"""The grader's pipe protocol: length-prefixed JSON frames carrying tagged plain data, both ways.

The parent must never run anything the child sends, so frames are JSON (no pickle), decoded with
limits on size and depth. Values keep their Python types through tags: a list is ``["l", ...]``,
a tuple ``["t", ...]``, a dict ``["d", k1, v1, ...]``, bytes ``["b", base64]``, a set ``["s", ...]``,
an object that stays on the parent's side (a client, a callable) is a handle ``["h", id, kind]``,
and an exception the parent raised is ``["x", class name, message, token]``. Strings, numbers,
booleans and None are themselves.
"""

from __future__ import annotations

import base64
import json
import socket
import struct
import threading
from collections.abc import Callable
from typing import Any

#: Largest frame either side accepts (a reply of a few hundred thousand members fits).
MAX_FRAME = 64 * 1024 * 1024
#: Deepest nesting a value may have.
MAX_DEPTH = 64
_HEADER = struct.Struct(">I")
#: Types sent as themselves, compared exactly (a subclass takes the slower, general path).
_PLAIN = frozenset({str, int, float, bool, type(None)})
_TO_JSON = json.JSONEncoder(separators=(",", ":"), allow_nan=True).encode


class ProtocolError(Exception):
    """A frame that is too large, not JSON, or holds a value outside the protocol."""


class Handle:
    """A reference to an object that lives on the parent's side (by number, with its kind)."""

    __slots__ = ("id", "kind")

    def __init__(self, id: int, kind: str) -> None:  # noqa: A002 - the protocol's word
        self.id = id
        self.kind = kind

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Handle) and (other.id, other.kind) == (self.id, self.kind)

    def __hash__(self) -> int:
        return hash((self.id, self.kind))


Other = Callable[[Any], "list[Any] | None"]
Resolve = Callable[[str, list[Any]], Any]


def encode(value: Any, other: Other | None = None, depth: int = 0) -> Any:
    """``value`` as JSON-ready tagged data.

    Args:
        value: Plain data (None, bool, int, float, str, bytes, list, tuple, dict, set, frozenset).
        other: For any other object: its tagged form (a handle, an error), or None when it cannot
            be sent.

    Raises:
        ProtocolError: A value that is not plain data and has no handle, or nested too deeply.
    """
    if type(value) in _PLAIN:
        return value
    if depth > MAX_DEPTH:
        raise ProtocolError(f"a value nested more than {MAX_DEPTH} levels deep")
    if isinstance(value, bool | int | float | str):
        return value
    nested = depth + 1
    if isinstance(value, bytes | bytearray | memoryview):
        return ["b", base64.b64encode(bytes(value)).decode("ascii")]
    if isinstance(value, list | tuple | set | frozenset):
        out: list[Any] = ["l" if isinstance(value, list) else "t" if isinstance(value, tuple) else "s"]
        for v in value:
            out.append(v if type(v) in _PLAIN else encode(v, other, nested))
        return out
    if isinstance(value, dict):
        out = ["d"]
        for k, v in value.items():
            out.append(k if type(k) in _PLAIN else encode(k, other, nested))
            out.append(v if type(v) in _PLAIN else encode(v, other, nested))
        return out
    tagged = other(value) if other is not None else None
    if tagged is None:
        raise ProtocolError(f"a {type(value).__name__} is not plain data")
    return tagged


def decode(data: Any, resolve: Resolve | None = None, depth: int = 0) -> Any:
    """The value :func:`encode` produced ``data`` from; other tags (``h``, ``x``) go to ``resolve``.

    Raises:
        ProtocolError: ``data`` is not something :func:`encode` produces.
    """
    if type(data) in _PLAIN:
        return data
    if depth > MAX_DEPTH:
        raise ProtocolError(f"a value nested more than {MAX_DEPTH} levels deep")
    if isinstance(data, bool | int | float | str):
        return data
    if not isinstance(data, list) or not data or not isinstance(data[0], str):
        raise ProtocolError("not a tagged value")
    tag, items, nested = data[0], data[1:], depth + 1
    if tag == "l":
        return [v if type(v) in _PLAIN else decode(v, resolve, nested) for v in items]
    if tag == "t":
        return tuple([v if type(v) in _PLAIN else decode(v, resolve, nested) for v in items])
    if tag == "s":
        try:
            return {decode(v, resolve, nested) for v in items}
        except TypeError as exc:
            raise ProtocolError(f"a set of unhashable values: {exc}") from None
    if tag == "d":
        if len(items) % 2:
            raise ProtocolError("a dict with an odd number of items")
        pairs = [
            (decode(items[i], resolve, nested), decode(items[i + 1], resolve, nested))
            for i in range(0, len(items), 2)
        ]
        try:
            return dict(pairs)
        except TypeError as exc:
            raise ProtocolError(f"a dict with unhashable keys: {exc}") from None
    if tag == "b" and len(items) == 1 and isinstance(items[0], str):
        try:
            return base64.b64decode(items[0], validate=True)
        except ValueError:
            raise ProtocolError("bytes that are not base64") from None
    if resolve is not None and tag in ("h", "x"):
        return resolve(tag, items)
    raise ProtocolError(f"unknown tag {tag[:20]!r}")


def handle(data: list[Any]) -> Handle:
    """The :class:`Handle` in the items of an ``h`` tag.

    Raises:
        ProtocolError: They are not a number and a kind.
    """
    if len(data) != 2 or type(data[0]) is not int or not isinstance(data[1], str):
        raise ProtocolError("a malformed handle")
    return Handle(data[0], data[1])


class Channel:
    """One end of the socket pair: whole frames in, whole frames out (sending is thread-safe)."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self._send_lock = threading.Lock()

    def send(self, message: dict[str, Any]) -> None:
        """Send one frame.

        Raises:
            ProtocolError: The message is larger than :data:`MAX_FRAME`.
            OSError: The other side is gone.
        """
        body = _TO_JSON(message).encode("utf-8")
        if len(body) > MAX_FRAME:
            raise ProtocolError(f"a message of {len(body)} bytes (the limit is {MAX_FRAME})")
        with self._send_lock:
            self.sock.sendall(_HEADER.pack(len(body)) + body)

    def receive(self) -> dict[str, Any] | None:
        """The next frame, or None when the other side closed its end.

        Raises:
            ProtocolError: The frame is too large or not a JSON object.
        """
        head = self._exactly(_HEADER.size)
        if head is None:
            return None
        (size,) = _HEADER.unpack(head)
        if size > MAX_FRAME:
            raise ProtocolError(f"a frame of {size} bytes (the limit is {MAX_FRAME})")
        body = self._exactly(size)
        if body is None:
            return None
        try:
            message = json.loads(body.decode("utf-8", "surrogatepass"))
        except (ValueError, RecursionError) as exc:
            raise ProtocolError(f"a frame that is not JSON: {str(exc)[:80]}") from None
        if not isinstance(message, dict):
            raise ProtocolError("a frame that is not an object")
        return message

    def _exactly(self, n: int) -> bytes | None:
        chunks, got = [], 0
        while got < n:
            try:
                chunk = self.sock.recv(min(n - got, 1 << 20))
            except OSError:
                return None
            if not chunk:
                return None
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)

    def close(self) -> None:
        """Close this end (the other side's receive returns None)."""
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
