"""Check the model on real servers: measure a scaled sample on a private one, read a user's thresholds.

A user's server only ever sees reads here (``INFO``, ``CONFIG GET``, through explain's read-only
wrapper): writing a sample happens only on a redis-server redisprep starts itself.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

from redisprep.backends import Backend, translate_errors
from redisprep.errors import BackendUnsupportedError, ForbiddenCommandError
from redisprep.explain.readonly import ReadLog
from redisprep.knowledge.limits import LIMITS_7_0, Limits
from redisprep.release import dotted, limits_for
from redisprep.sizing.load import load, names
from redisprep.sizing.model import Estimate, estimate
from redisprep.sizing.shape import Shape

SAMPLE_ENTRIES = 20_000
"""Entries (members, fields or string keys) loaded to measure: big enough to pass every threshold."""


def sample_of(shape: Shape, entries: int = SAMPLE_ENTRIES) -> Shape:
    """A smaller data set of the same kind and encoding: whole keys while they fit, else one big key."""
    if shape.total_entries <= entries:
        return shape
    if shape.entries <= entries:
        return dataclasses.replace(shape, keys=max(1, entries // shape.entries))
    return dataclasses.replace(shape, keys=1, entries=entries)


def used_memory(client: Any, settle_s: float = 0.1, tries: int = 50) -> int:
    """``used_memory`` once two readings ``settle_s`` apart agree (serverCron finishing a rehash, a
    closed client freed), or the last reading after ``tries``."""
    last = -1
    for _ in range(tries):
        now = int(client.info("memory")["used_memory"])
        if now == last:
            return now
        last = now
        time.sleep(settle_s)
    return last


def measure(backend: Backend, shape: Shape) -> int:
    """Bytes ``used_memory`` grows by when ``shape`` is loaded into ``backend`` (a server we own).

    The loading client is closed before the second reading, so its buffers are not counted.

    Raises:
        ForbiddenCommandError: ``backend`` is not a server redisprep started (``disposable``).
    """
    if not backend.disposable:
        raise ForbiddenCommandError(f"measuring writes a sample: refused on {backend.label}, not ours")
    probe = backend.client()
    with translate_errors(backend.label):
        # Redis 7.0 allocates a latency histogram (~24 KB, latency-tracking) the first time each
        # command runs: a one-entry warm-up with the same commands keeps that out of the figure.
        load(probe, warm := dataclasses.replace(shape, keys=1, entries=1))
        probe.delete(*names(warm.keys, warm.key_bytes, "k"))
        before = used_memory(probe)
        loader = backend.client()
        try:
            load(loader, shape)
        finally:
            loader.close()
        return used_memory(probe) - before


def measured_estimate(shape: Shape, backend: Backend, label: str) -> Estimate:
    """The model of ``shape``, scaled by measured / modelled bytes of a sample loaded on ``backend``.

    Raises:
        BackendUnsupportedError: ``backend`` has no ``INFO memory`` (the embedded fakeredis).
    """
    if backend.is_simulated:
        raise BackendUnsupportedError(
            "--measure needs redis-server installed (the embedded server has no INFO)"
        )
    limits = limits_for(backend.release)
    sample = sample_of(shape)
    got = measure(backend, sample)
    modelled = estimate(sample, limits).model_bytes
    factor = got / modelled
    full = estimate(shape, limits)
    detail = (
        f"model × {factor:.3f}: {sample.keys:,} key(s) × {sample.entries:,} loaded on a private {label} "
        f"grew used_memory by {got:,} B (model: {modelled:,} B)"
    )
    return dataclasses.replace(full, source="measured", source_detail=detail, factor=factor)


def calibrated_estimate(shape: Shape, backend: Backend) -> Estimate:
    """The model of ``shape`` with the thresholds and release read from the user's server (reads only)."""
    log = ReadLog()
    client = log.wrap(backend.client())
    notes: list[str] = []
    with translate_errors(backend.label):
        memory = client.info("memory")
        limits = _configured(client, limits_for(backend.release), notes)
    allocator = str(memory.get("mem_allocator", "unknown"))
    if not allocator.startswith("jemalloc"):
        notes.append(f"the server allocates with {allocator}; the size classes modelled are jemalloc's")
    if limits.version != LIMITS_7_0.version:
        notes.append(f"Redis {dotted(backend.version)}: its allocations may differ from 7.0's layout")
    full = estimate(shape, limits)
    detail = (
        f"modelled with the thresholds of {backend.label} (Redis {dotted(backend.version)}, {allocator}); "
        f"sent only {log.summary()}, nothing written"
    )
    return dataclasses.replace(
        full, source="calibrated", source_detail=detail, notes=full.notes + tuple(notes)
    )


_CONFIG = {
    "hash_entries": ("hash-max-listpack-entries", "hash-max-ziplist-entries"),
    "hash_value": ("hash-max-listpack-value", "hash-max-ziplist-value"),
    "zset_entries": ("zset-max-listpack-entries", "zset-max-ziplist-entries"),
    "zset_value": ("zset-max-listpack-value", "zset-max-ziplist-value"),
    "set_intset_entries": ("set-max-intset-entries",),
    "set_listpack_entries": ("set-max-listpack-entries",),
    "set_listpack_value": ("set-max-listpack-value",),
}


def _configured(client: Any, limits: Limits, notes: list[str]) -> Limits:
    """``limits`` with the values ``CONFIG GET`` reports (defaults kept, and said, if it is refused)."""
    import redis

    try:
        config = client.config_get("*-max-*")
    except redis.ResponseError as exc:  # an ACL without CONFIG: the release's defaults stand
        notes.append(f"CONFIG GET refused ({exc}); the release's default thresholds were used")
        return limits
    changes: dict[str, int] = {}
    for field, options in _CONFIG.items():
        for name in options:
            if name in config and str(config[name]).lstrip("-").isdigit():
                changes[field] = int(config[name])
                break
    if limits.set_listpack_entries is None:
        changes.pop("set_listpack_entries", None)
    return dataclasses.replace(limits, **changes)  # type: ignore[arg-type]
