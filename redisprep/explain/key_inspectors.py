"""Probe keys without changing them: read type, size, encoding and memory (live), or model them (embedded).

A live server answers ``OBJECT ENCODING`` and ``MEMORY USAGE`` (sampled, as redis-cli does). The
embedded fakeredis has neither, so its keys' contents are read (all of a small value, a sample of a
big one) and the encoding and memory are modelled with the thresholds of the imitated version. Every
probe is a read; nothing here writes.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from redisprep.explain.encoding import Contents, model_encoding
from redisprep.explain.keystate import CARD_COMMANDS, UNKNOWN_SIZE, KeyState, Source, absent
from redisprep.explain.memory import model_memory, score_text
from redisprep.knowledge.limits import Limits
from redisprep.release import limits_for

#: Up to this many elements the embedded inspector reads everything (enough for every threshold).
READ_ALL = 512
#: A long list is sampled in this many windows of SAMPLE items, from its head to its tail.
LIST_WINDOWS = 16
SAMPLE = 5
HLL_OPS = frozenset({"PFADD", "PFMERGE"})


class Inspector(Protocol):
    """Reads the state of keys; implementations for live servers and for the embedded backend."""

    source: Source
    limits: Limits

    def states(
        self,
        keys: Iterable[str],
        hint: str | None = None,
        op: str | None = None,
        previous: Mapping[str, str | None] | None = None,
    ) -> dict[str, KeyState]:
        """The state of each key now.

        Args:
            keys: Key names.
            hint: The type the command works on (saves a round trip on live servers).
            op: The command that just ran, when this is an "after" probe (the model needs it).
            previous: For the model, the encoding each key had before ``op`` (None: build fresh).
        """

    def extras(self, names: Iterable[str]) -> dict[str, int]:
        """Server-wide figures (``dbsize``)."""


def inspector_for(backend: Any) -> Inspector:
    """The inspector that fits ``backend`` (a :class:`redisprep.backends.Backend`)."""
    limits = limits_for(backend.release)
    client = backend.client()
    if backend.is_simulated:
        return EmbeddedInspector(client, limits)
    return LiveInspector(client, limits)


class LiveInspector:
    """Reads keys with TYPE, OBJECT ENCODING, MEMORY USAGE and the type's size command, pipelined."""

    source: Source = "read"

    def __init__(self, client: Any, limits: Limits) -> None:
        self.client = client
        self.limits = limits

    def states(
        self,
        keys: Iterable[str],
        hint: str | None = None,
        op: str | None = None,
        previous: Mapping[str, str | None] | None = None,
    ) -> dict[str, KeyState]:
        names = list(dict.fromkeys(keys))
        if not names:
            return {}
        guess = CARD_COMMANDS.get(hint or "")
        pipe = self.client.pipeline(transaction=False)
        for key in names:
            pipe.execute_command("TYPE", key)
            pipe.execute_command("OBJECT ENCODING", key)
            pipe.execute_command("MEMORY USAGE", key)
            if guess:
                pipe.execute_command(guess, key)
        width = 4 if guess else 3
        replies = pipe.execute(raise_on_error=False)
        rows = [replies[i : i + width] for i in range(0, len(replies), width)]
        sizes = self._sizes(names, rows, hint)
        out = {}
        for key, row in zip(names, rows, strict=True):
            kind = _text(row[0])
            if kind == "none":
                out[key] = absent(key, "read")
                continue
            encoding = None if isinstance(row[1], Exception) else _text(row[1])
            memory = row[2] if isinstance(row[2], int) else None
            out[key] = KeyState(key, kind, sizes.get(key, 0), encoding, memory, "read")
        return out

    def _sizes(self, names: list[str], rows: list[list[Any]], hint: str | None) -> dict[str, int]:
        sizes = {}
        missing = []
        for key, row in zip(names, rows, strict=True):
            kind = _text(row[0])
            if kind == hint and len(row) == 4 and isinstance(row[3], int):
                sizes[key] = row[3]
            elif kind in CARD_COMMANDS:
                missing.append((key, kind))
        if missing:
            pipe = self.client.pipeline(transaction=False)
            for key, kind in missing:
                pipe.execute_command(CARD_COMMANDS[kind], key)
            for (key, _), reply in zip(missing, pipe.execute(raise_on_error=False), strict=True):
                sizes[key] = reply if isinstance(reply, int) else 0
        return sizes

    def extras(self, names: Iterable[str]) -> dict[str, int]:
        return {"dbsize": int(self.client.dbsize())} if "dbsize" in names else {}


class EmbeddedInspector:
    """Reads contents from the in-process fakeredis and models encoding and memory."""

    source: Source = "modelled"

    def __init__(self, client: Any, limits: Limits) -> None:
        self.client = client
        self.limits = limits
        self._encodings: dict[str, tuple[str, str]] = {}
        """Last modelled (type, encoding) of each key: big encodings are sticky in Redis."""
        self._hll: set[str] = set()
        self._lock = threading.Lock()

    def states(
        self,
        keys: Iterable[str],
        hint: str | None = None,
        op: str | None = None,
        previous: Mapping[str, str | None] | None = None,
    ) -> dict[str, KeyState]:
        return {key: self._state(key, op, previous) for key in dict.fromkeys(keys)}

    def _state(self, key: str, op: str | None, previous: Mapping[str, str | None] | None) -> KeyState:
        kind = _text(self.client.type(key))
        with self._lock:
            if kind == "none":
                self._encodings.pop(key, None)
                self._hll.discard(key)
                return absent(key, "modelled")
            if op in HLL_OPS:
                self._hll.add(key)
            if key in self._hll:
                # fakeredis keeps a HyperLogLog as a set; Redis keeps it as a raw string.
                return KeyState(key, "string", UNKNOWN_SIZE, "raw", None, "modelled")
            if kind not in CARD_COMMANDS:  # a module type (RedisBloom, TimeSeries): not modelled
                return KeyState(key, kind, 0, None, None, "modelled")
            known = self._encodings.get(key)
        contents = self._contents(key, kind)
        if previous is not None and key in previous:
            before = previous[key]
        else:
            before = known[1] if known is not None and known[0] == kind else None
        encoding = model_encoding(contents, self.limits, before, op)
        memory = (
            model_memory(contents, encoding, key, self.limits)
            if contents.entries or kind == "string"
            else None
        )
        with self._lock:
            self._encodings[key] = (kind, encoding)
        return KeyState(key, kind, contents.count, encoding, memory, "modelled")

    def _spread(self, key: str, n: int) -> list[Any]:
        """Items from windows spread over a long list: its head alone may be shorter than the rest."""
        pipe = self.client.pipeline(transaction=False)
        for i in range(LIST_WINDOWS):
            start = i * (n - SAMPLE) // (LIST_WINDOWS - 1)
            pipe.lrange(key, start, start + SAMPLE - 1)
        return [item for window in pipe.execute() for item in window]

    def _contents(self, key: str, kind: str) -> Contents:
        r = self.client
        try:
            if kind == "string":
                return self._string(key)
            if kind == "list":
                n = int(r.llen(key))
                items = r.lrange(key, 0, -1) if n <= 2 * READ_ALL else self._spread(key, n)
                return Contents(kind, n, tuple((str(i),) for i in items), n <= 2 * READ_ALL)
            if kind == "set":
                n = int(r.scard(key))
                members = sorted(r.smembers(key)) if n <= READ_ALL else r.sscan(key, 0, count=SAMPLE * 2)[1]
                return Contents(kind, n, tuple((str(m),) for m in members), n <= READ_ALL)
            if kind == "zset":
                n = int(r.zcard(key))
                end = -1 if n <= READ_ALL else SAMPLE - 1
                try:
                    pairs = [
                        (str(m), score_text(float(s))) for m, s in r.zrange(key, 0, end, withscores=True)
                    ]
                except ValueError:
                    # fakeredis answers a geo member's score with a geohash string, not the 52-bit
                    # integer Redis stores; members alone decide the encoding, so model with those.
                    pairs = [(str(m), "0") for m in r.zrange(key, 0, end)]
                return Contents(kind, n, tuple(pairs), n <= READ_ALL)
            if kind == "hash":
                n = int(r.hlen(key))
                fields = r.hgetall(key) if n <= READ_ALL else r.hscan(key, 0, count=SAMPLE * 2)[1]
                return Contents(kind, n, tuple((str(f), str(v)) for f, v in fields.items()), n <= READ_ALL)
            if kind == "stream":
                n = int(r.xlen(key))
                sample = r.xrange(key, "-", "+", count=SAMPLE)
                entries = tuple((str(i), *(str(x) for kv in d.items() for x in kv)) for i, d in sample)
                return Contents(kind, n, entries, False)
        except UnicodeDecodeError:  # binary values: sizes only
            pass
        return Contents(kind, _size(r, key, kind), (), False)

    def _string(self, key: str) -> Contents:
        r = self.client
        n = int(r.strlen(key))
        value = ((str(r.getrange(key, 0, -1)),),) if n <= 20 else ()
        # Valkey 8 keeps the key in the value's allocation: its length decides embstr too.
        return Contents("string", n, value, key_bytes=len(key.encode()))

    def extras(self, names: Iterable[str]) -> dict[str, int]:
        return {"dbsize": int(self.client.dbsize())} if "dbsize" in names else {}


def _size(r: Any, key: str, kind: str) -> int:
    command = CARD_COMMANDS.get(kind)
    return int(r.execute_command(command, key)) if command else 0


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def server_command(client: Any, *args: Any) -> Any:
    """Send a command that names no key (COMMAND DOCS, COMMAND INFO); a cluster client picks a node."""
    from redis.cluster import RedisCluster

    if isinstance(client, RedisCluster):
        return client.execute_command(*args, target_nodes=client.get_random_node())
    return client.execute_command(*args)
