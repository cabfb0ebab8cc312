"""The grader's pipe protocol: any plain value crosses unchanged, and nothing else is accepted.

The parent decodes what the (untrusted) grading child sends, so the limits matter as much as the
round trip: too deep, too large, not JSON, unknown tags and handles nobody gave out are refused
with a :class:`ProtocolError`, never run or passed on.
"""

from __future__ import annotations

import enum
import json
import socket
import struct
import threading
from collections import namedtuple
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from redisprep.practice import wire

SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
HASHABLE = SCALARS | st.binary(max_size=20)
VALUES = st.recursive(
    HASHABLE,
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.lists(inner, max_size=5).map(tuple)
        | st.dictionaries(HASHABLE, inner, max_size=5)
        | st.sets(HASHABLE, max_size=5)
        | st.frozensets(HASHABLE, max_size=5)
    ),
    max_leaves=30,
)


def _across(value: Any) -> Any:
    """``value`` encoded, through JSON text as a frame carries it, and decoded."""
    return wire.decode(json.loads(json.dumps(wire.encode(value), allow_nan=True)))


def _same(a: Any, b: Any) -> bool:
    """Equal, and of the same type all the way down (a tuple is not a list, True is not 1)."""
    if type(a) is not type(b) and not (isinstance(a, set | frozenset) and isinstance(b, set)):
        return False
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(v, b[k]) for k, v in a.items())
    return bool(a == b)


@given(VALUES)
def test_every_plain_value_crosses_unchanged_with_its_types(value: Any) -> None:
    assert _same(value, _across(value))


def test_values_that_look_like_tags_stay_data() -> None:
    for value in (["l", 1], ["h", 1, "redis"], ["x", "Error", "m", 1], ("b", "AAAA"), {"d": ["s"]}):
        assert _same(value, _across(value))


class Colour(enum.IntEnum):
    RED = 1


class Name(str):
    pass


def test_subclasses_of_plain_types_cross_as_their_base_values() -> None:
    point = namedtuple("point", "x y")(1, "a")
    assert _across([Colour.RED, Name("n"), point]) == [1, "n", (1, "a")]
    assert type(_across(Name("n"))) is str
    assert type(_across(point)) is tuple


def test_objects_go_as_handles_or_not_at_all() -> None:
    thing = object()
    with pytest.raises(wire.ProtocolError, match="object is not plain data"):
        wire.encode([1, {"k": thing}])
    assert wire.encode([1, thing], lambda v: ["h", 7, "call"] if v is thing else None) == [
        "l",
        1,
        ["h", 7, "call"],
    ]
    seen: list[Any] = []
    assert wire.decode(["l", ["h", 7, "call"]], lambda tag, items: seen.append((tag, items)) or "made") == [
        "made"
    ]
    assert seen == [("h", [7, "call"])]


def _nested(levels: int, leaf: Any) -> Any:
    value = leaf
    for _ in range(levels):
        value = [value]
    return value


def test_nesting_past_the_limit_is_refused_both_ways() -> None:
    wire.encode(_nested(wire.MAX_DEPTH, 1))
    with pytest.raises(wire.ProtocolError, match="nested more than"):
        wire.encode(_nested(wire.MAX_DEPTH + 2, 1))
    assert wire.decode(_tagged(_nested(wire.MAX_DEPTH, 1))) == _nested(wire.MAX_DEPTH, 1)
    with pytest.raises(wire.ProtocolError, match="nested more than"):
        wire.decode(_tagged(_nested(wire.MAX_DEPTH + 2, 1)))


def _tagged(value: Any) -> Any:
    """A list nest in the protocol's own form (``["l", ...]`` at every level)."""
    return ["l", _tagged(value[0])] if isinstance(value, list) else value


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"a": 1}, "not a tagged value"),
        ([], "not a tagged value"),
        ([1, 2], "not a tagged value"),
        (["q", 1], "unknown tag"),
        (["d", "k"], "odd number"),
        (["d", ["l"], 1], "unhashable keys"),
        (["s", ["l"]], "unhashable values"),
        (["b", "***"], "not base64"),
        (["b", 1], "unknown tag"),
        (["h", 1, "redis"], "unknown tag"),
        (["x", "Error", "m", 1], "unknown tag"),
        (["l", ["l", {"a": 1}]], "not a tagged value"),
    ],
)
def test_data_the_protocol_does_not_produce_is_refused(data: Any, message: str) -> None:
    with pytest.raises(wire.ProtocolError, match=message):
        wire.decode(data)


@pytest.fixture(name="pair")
def socket_pair() -> Iterator[tuple[wire.Channel, socket.socket]]:
    ours, theirs = socket.socketpair()
    channel = wire.Channel(ours)
    yield channel, theirs
    channel.close()
    theirs.close()


def test_frames_arrive_whole_and_in_order(pair: tuple[wire.Channel, socket.socket]) -> None:
    channel, theirs = pair
    other = wire.Channel(theirs)
    messages = [{"op": "call", "id": i, "args": wire.encode(["é", b"\x00", (i,)])} for i in range(50)]
    messages.append({"op": "big", "value": "x" * 3_000_000})

    def send_all() -> None:
        for message in messages:
            other.send(message)
        theirs.shutdown(socket.SHUT_WR)

    sender = threading.Thread(target=send_all)
    sender.start()
    got = [channel.receive() for _ in messages]
    sender.join()
    assert got == messages
    assert channel.receive() is None


def _frame(body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + body


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (struct.pack(">I", wire.MAX_FRAME + 1), "a frame of"),
        (_frame(b"{1]"), "not JSON"),
        (_frame(b"[]"), "not an object"),
        (_frame(b'"\xff"'), "not JSON"),
        (_frame(b"1e99"), "not an object"),
        (_frame(b"[" * 100_000 + b"]" * 100_000), "not JSON"),
    ],
)
def test_a_malformed_frame_is_a_protocol_error(
    pair: tuple[wire.Channel, socket.socket], raw: bytes, message: str
) -> None:
    channel, theirs = pair
    sender = threading.Thread(target=theirs.sendall, args=(raw,))
    sender.start()
    with pytest.raises(wire.ProtocolError, match=message):
        channel.receive()
    sender.join()


def test_a_frame_cut_short_reads_as_the_end(pair: tuple[wire.Channel, socket.socket]) -> None:
    channel, theirs = pair
    theirs.sendall(struct.pack(">I", 10) + b'{"a":')
    theirs.shutdown(socket.SHUT_WR)
    assert channel.receive() is None


def test_a_message_too_large_to_send_is_refused_before_sending(
    pair: tuple[wire.Channel, socket.socket], monkeypatch: pytest.MonkeyPatch
) -> None:
    channel, theirs = pair
    monkeypatch.setattr(wire, "MAX_FRAME", 100)
    with pytest.raises(wire.ProtocolError, match="a message of"):
        channel.send({"value": "x" * 200})
    theirs.setblocking(False)
    with pytest.raises(BlockingIOError):
        theirs.recv(1)
