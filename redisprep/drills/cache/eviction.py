"""Fill a throw-away redis-server past maxmemory under each eviction policy and see what survives.

This needs CONFIG SET and FLUSHALL, so it never touches the user's server: it starts its own
redis-server on loopback (:func:`redisprep.localserver.start_server`) and stops it by PID.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from redisprep.backends import connect
from redisprep.localserver import start_server

POLICIES = ("noeviction", "allkeys-lru", "allkeys-lfu", "allkeys-random", "volatile-lru")
HOT = 100
"""Keys read again after every batch of writes (no TTL)."""
WRITES = 800
"""Cold keys written once each (with a TTL)."""
BATCH = 50
VALUE_BYTES = 1_000
HEADROOM_BYTES = 300_000
"""maxmemory is set to the memory in use after the hot keys, plus this."""


@dataclass(frozen=True, slots=True)
class PolicyRun:
    """What happened to the dataset under one ``maxmemory-policy``."""

    policy: str
    rejected: int
    """Writes refused with an OOM error."""
    hot_kept: int
    evicted: int
    """``evicted_keys`` from INFO stats."""
    fill_s: float = 0.0
    """Wall time of the writes and reads past the hot keys: how many ticks of the LRU clock they saw."""


def compare_policies(policies: tuple[str, ...] = POLICIES) -> tuple[PolicyRun, ...]:
    """Run the same workload under each policy on a redis-server started for the purpose.

    Raises:
        BackendUnsupportedError: redis-server is not installed.
        BackendUnavailableError: It did not start.
    """

    server = start_server(die_with_parent=True)  # a kill of redisprep takes this server with it
    try:
        backend = connect(server.url, disposable=True)
        try:
            client = backend.client()
            return tuple(_run(client, policy) for policy in policies)
        finally:
            backend.close()
    finally:
        server.stop()


def _run(r: Any, policy: str) -> PolicyRun:
    r.flushall()
    r.config_set("maxmemory", 0)
    r.config_set("maxmemory-policy", policy)
    r.config_resetstat()
    value = "x" * VALUE_BYTES
    pipe = r.pipeline(transaction=False)
    for i in range(HOT):
        pipe.set(f"hot:{i}", value)
    pipe.execute()
    used = int(r.info("memory")["used_memory"])
    r.config_set("maxmemory", used + HEADROOM_BYTES)
    hot = [f"hot:{i}" for i in range(HOT)]
    rejected = 0
    began = time.perf_counter()
    for start in range(0, WRITES, BATCH):
        pipe = r.pipeline(transaction=False)
        for j in range(start, start + BATCH):
            pipe.set(f"cold:{j}", value, ex=3600)
        pipe.mget(hot)  # one read of every hot key: updates their LRU clock and LFU counter
        replies = pipe.execute(raise_on_error=False)
        rejected += sum(isinstance(reply, Exception) for reply in replies)
    fill_s = time.perf_counter() - began
    kept = int(r.exists(*hot))
    evicted = int(r.info("stats")["evicted_keys"])
    r.config_set("maxmemory", 0)
    return PolicyRun(policy, rejected, kept, evicted, fill_s)
