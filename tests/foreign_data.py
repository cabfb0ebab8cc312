"""Someone else's data: fill a server with 10,800 keys of every type, and a Lua-free digest of it.

Used by the data-safety tests and the adversarial suite. The digest is SCAN + DUMP + PTTL from the
test's own connection (no script, so it cannot be fooled by what a script does), and
:func:`differences` tells a key changed from one whose TTL merely ticked down.
"""

from __future__ import annotations

from typing import Any

PER_TYPE = 1_200
TYPES = ("string", "hash", "list", "set", "zset", "stream", "hyperloglog", "geo", "bitmap")
#: Keys a careless cleaner would take for redisprep's own: none of them is.
LOOKALIKES = (
    "redisprep-notes",
    "redisprep:manual",
    "redisprep:",
    "redisprep:reef",
    "redisprep:rabc-123456",
    "redisprep:r1-abc:k",
    "redisprep:r1-xyz123:k",
    "Redisprep:r65000000-abcdef:k",
    "{redisprep:r65000000-abcdef}:k",
    "xredisprep:r65000000-abcdef:k",
    "redisprep:r65000000-abcdef:k",  # exactly a run's name, but no run's marker
)

Digest = dict[bytes, tuple[bytes, int]]


def fill(c: Any) -> int:
    """PER_TYPE keys of each type, a tenth with a TTL, plus LOOKALIKES; returns how many keys."""
    pipe = c.pipeline(transaction=False)
    for i in range(PER_TYPE):
        tag = f"{{user{i % 50}}}" if i % 3 == 0 else f"u{i}"
        pipe.set(f"str:{tag}:{i}", "x" * (i % 60) if i % 2 else str(i))
        pipe.hset(f"hash:{tag}:{i}", mapping={f"f{j}": j for j in range(600 if i % 400 == 0 else 5)})
        pipe.rpush(f"list:{tag}:{i}", *[f"job{j}" for j in range(1 + i % 7)])
        pipe.sadd(f"set:{tag}:{i}", *(list(range(6)) if i % 2 else [f"m{j}" for j in range(6)]))
        pipe.zadd(f"zset:{tag}:{i}", {f"p{j}": j * 1.5 for j in range(200 if i % 300 == 0 else 4)})
        pipe.xadd(f"stream:{tag}:{i}", {"event": "signup", "n": i}, id=f"{i + 1}-1")
        pipe.pfadd(f"hll:{tag}:{i}", *[f"visitor{j}" for j in range(i % 20 + 1)])
        pipe.geoadd(f"geo:{tag}:{i}", (2.35 + i / 1e4, 48.85, f"place{i}"))
        pipe.setbit(f"bits:{tag}:{i}", i % 1000, 1)
        if i % 10 == 0:
            for prefix in ("str", "hash", "list", "set", "zset", "stream", "hll", "geo", "bits"):
                pipe.expire(f"{prefix}:{tag}:{i}", 3_600 + i)
        if i % 100 == 0:
            pipe.execute()
    for key in LOOKALIKES:
        pipe.set(key, "not redisprep's")
    pipe.set(b"bin:\x00\xff\r\n key", b"\x00\x01\xfe\xff")
    pipe.xgroup_create("stream:u1:1", "workers", id="0")
    pipe.execute()
    c.xreadgroup("workers", "alice", {"stream:u1:1": ">"})  # one pending entry in a group
    return PER_TYPE * len(TYPES) + len(LOOKALIKES) + 1


def digest(c: Any, db: int = 0) -> Digest:
    """Every key of the client's database: its DUMP bytes and PTTL."""
    keys = list(c.scan_iter(count=1_000))
    out: Digest = {}
    for start in range(0, len(keys), 1_000):
        chunk = keys[start : start + 1_000]
        pipe = c.pipeline(transaction=False)
        for key in chunk:
            pipe.dump(key)
            pipe.pttl(key)
        replies = pipe.execute()
        for n, key in enumerate(chunk):
            out[key] = (replies[2 * n], int(replies[2 * n + 1]))
    return out


def differences(before: Digest, after: Digest, elapsed_ms: float) -> list[str]:
    """What changed: keys gone or added, values changed, TTLs other than ticked down."""
    problems = [f"gone: {k!r}" for k in before.keys() - after.keys()]
    problems += [f"left behind: {k!r}" for k in after.keys() - before.keys()]
    for key in before.keys() & after.keys():
        (value0, ttl0), (value1, ttl1) = before[key], after[key]
        if value0 != value1:
            problems.append(f"value changed: {key!r}")
        if (ttl0 < 0 or ttl1 < 0) and ttl0 != ttl1:
            problems.append(f"TTL changed: {key!r} {ttl0} -> {ttl1}")
        elif ttl0 >= 0 and not -2 <= ttl0 - ttl1 <= elapsed_ms + 1_000:
            problems.append(f"TTL changed: {key!r} {ttl0} -> {ttl1} ms in {elapsed_ms:.0f} ms")
    return problems
