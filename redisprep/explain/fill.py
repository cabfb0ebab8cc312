"""Fill a key with N synthetic elements, so explain can show a command at a size that matters.

``redisprep explain "ZADD lb 1 alice" --fill 128`` puts 128 members in ``lb`` first: the ZADD then
adds the 129th and the encoding changes. Elements are short (well under 64 bytes); set members are
integers, so a filled set starts as an intset.
"""

from __future__ import annotations

from typing import Any

CHUNK = 500


def fill_key(client: Any, key: str, kind: str, count: int) -> None:
    """Add ``count`` elements of ``kind`` to ``key`` (for a string: make it ``count`` bytes long).

    Args:
        client: A client on the server to fill (the embedded one, or copies in a namespace).
        key: The key to fill.
        kind: ``string``, ``list``, ``set``, ``zset``, ``geo``, ``hash`` or ``stream``.
        count: How many elements (bytes for a string).
    """
    if kind == "string":
        client.set(key, "x" * count)
        return
    pipe = client.pipeline(transaction=False)
    for start in range(0, count, CHUNK):
        ids = range(start, min(count, start + CHUNK))
        if kind == "zset":
            pipe.zadd(key, {f"member:{i:06d}": i for i in ids})
        elif kind == "geo":
            pipe.geoadd(
                key, [v for i in ids for v in (-170 + (i * 0.37) % 340, -80 + (i * 0.11) % 160, f"place:{i}")]
            )
        elif kind == "hash":
            pipe.hset(key, mapping={f"field:{i:06d}": f"value:{i}" for i in ids})
        elif kind == "set":
            pipe.sadd(key, *ids)
        elif kind == "list":
            pipe.rpush(key, *(f"item:{i}" for i in ids))
        elif kind == "stream":
            for i in ids:
                pipe.xadd(key, {"n": i})
    pipe.execute()
