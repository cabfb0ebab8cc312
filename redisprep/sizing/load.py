"""Write the data a :class:`Shape` describes into a server redisprep owns, pipelined, names at exact lengths.

Only for a private redis-server (``--measure``) or the benchmark's own server: the whole server is
the run's, so the keys carry no namespace prefix (it would change the key lengths being measured).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from redisprep.errors import BadUsageError
from redisprep.sizing.shape import Shape

_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
CHUNK = 500
"""Members or fields per command (ZADD, SADD, GEOADD, HSET take many)."""
BATCH = 200
"""Commands per pipeline round trip."""
TTL_SECONDS = 3600


def names(count: int, length: int, first: str) -> list[str]:
    """``count`` distinct names of exactly ``length`` characters, starting with a letter (never an integer).

    Raises:
        BadUsageError: ``length`` is too short for ``count`` distinct names.
    """
    width = length - 1
    if width < 0 or (width == 0 and count > 1) or (width > 0 and 36**width < count):
        raise BadUsageError(f"{length} bytes is too short for {count:,} distinct names")
    return [first + _base36(i).rjust(width, "0") for i in range(count)] if width else [first]


def _base36(n: int) -> str:
    text = ""
    while True:
        n, d = divmod(n, 36)
        text = _DIGITS[d] + text
        if n == 0:
            return text


def integers(count: int, digits: int) -> list[int]:
    """``count`` distinct integers of ``digits`` digits, spread over the whole range (their width)."""
    low, high = (0 if digits == 1 else 10 ** (digits - 1)), 10**digits - 1
    if high - low + 1 < count:
        raise BadUsageError(f"there are not {count:,} distinct integers of {digits} digits")
    step = max(1, (high - low) // max(count - 1, 1))
    return [low + i * step for i in range(count)]


def _commands(shape: Shape) -> Iterator[tuple[Any, ...]]:
    """The commands that build ``shape``: one SET per string, otherwise ``CHUNK`` entries per command."""
    keys = names(shape.keys, shape.key_bytes, "k")
    if shape.kind == "string":
        values: list[Any] = (
            [str(v) for v in integers(min(shape.keys, 9 * 10 ** (shape.value_bytes - 1)), shape.value_bytes)]
            if shape.integers
            else ["v" * shape.value_bytes]
        )
        expiry: tuple[Any, ...] = ("EX", TTL_SECONDS) if shape.ttl else ()
        for i, key in enumerate(keys):
            yield ("SET", key, values[i % len(values)], *expiry)
        return
    members: list[Any] = (
        integers(shape.entries, shape.member_bytes)
        if shape.integers
        else names(shape.entries, shape.member_bytes, "f" if shape.kind == "hash" else "m")
    )
    for key in keys:
        for start in range(0, shape.entries, CHUNK):
            yield _chunk(shape, key, members, start)
        if shape.ttl:
            yield ("EXPIRE", key, TTL_SECONDS)


def _chunk(shape: Shape, key: str, members: list[Any], start: int) -> tuple[Any, ...]:
    part = range(start, min(start + CHUNK, shape.entries))
    if shape.kind == "hash":
        value = "v" * shape.value_bytes
        return ("HSET", key, *(x for i in part for x in (members[i], value)))
    if shape.kind == "set":
        return ("SADD", key, *(members[i] for i in part))
    if shape.kind == "geo":
        return ("GEOADD", key, *(x for i in part for x in (*lon_lat(i), members[i])))
    # Scores of 7 digits (below 2^23): the width the model assumes for a listpack.
    return ("ZADD", key, *(x for i in part for x in (1_000_000 + (i * 7919) % 7_000_000, members[i])))


def lon_lat(i: int) -> tuple[float, float]:
    """Points spread over the map (GEOADD accepts latitudes within ±85.05)."""
    return ((i * 7919) % 3_599_000) / 10_000 - 179.95, ((i * 104_729) % 1_699_000) / 10_000 - 84.95


def load(client: Any, shape: Shape) -> int:
    """Write ``shape``'s data with pipelines of ``BATCH`` commands; returns how many commands were sent."""
    sent = 0
    pipe = client.pipeline(transaction=False)
    for command in _commands(shape):
        pipe.execute_command(*command)
        sent += 1
        if sent % BATCH == 0:
            pipe.execute()
    pipe.execute()
    return sent
