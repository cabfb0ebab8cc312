"""A priority queue on a sorted set: ZPOPMIN hands out the most urgent job exactly once.

Interface (``r`` is a ``redis.Redis`` client):

- ``schedule(r, queue, job, priority) -> None``: add a job (a lower priority number is more urgent;
  a Unix time makes it a delayed-job queue).
- ``pop_next(r, queue) -> tuple[str, float] | None``: remove and return the most urgent job.
- ``pop_next_blocking(r, queue, timeout_s) -> tuple[str, float] | None``: the same, waiting up to
  ``timeout_s`` for a job to arrive.
- ``due(r, queue, upto, limit) -> list[tuple[str, float]]``: jobs with priority <= ``upto``, most
  urgent first (a range by score), without removing them.
- ``page(r, queue, start, stop) -> list[tuple[str, float]]``: jobs by position (a range by rank).

Every function costs one round trip.
"""

from __future__ import annotations

from typing import Any

Entry = tuple[str, float]


def schedule(r: Any, queue: str, job: str, priority: float) -> None:
    """ZADD queue priority job: O(log(N))."""
    r.zadd(queue, {job: priority})


def pop_next(r: Any, queue: str) -> Entry | None:
    """ZPOPMIN: removes and returns the lowest score in one command, O(log(N)*M) for M popped."""
    popped = r.zpopmin(queue)
    return (str(popped[0][0]), float(popped[0][1])) if popped else None


def pop_next_blocking(r: Any, queue: str, timeout_s: float) -> Entry | None:
    """BZPOPMIN queue timeout: like ZPOPMIN, but waits for a ZADD from another client."""
    popped = r.bzpopmin(queue, timeout=timeout_s)
    return None if popped is None else (str(popped[1]), float(popped[2]))


def due(r: Any, queue: str, upto: float, limit: int) -> list[Entry]:
    """ZRANGE queue -inf upto BYSCORE LIMIT 0 limit WITHSCORES: O(log(N)+M)."""
    reply = r.execute_command("ZRANGE", queue, "-inf", upto, "BYSCORE", "LIMIT", 0, limit, "WITHSCORES")
    return _pairs(reply)


def page(r: Any, queue: str, start: int, stop: int) -> list[Entry]:
    """ZRANGE queue start stop WITHSCORES: positions, O(log(N)+M)."""
    return _pairs(r.execute_command("ZRANGE", queue, start, stop, "WITHSCORES"))


def _pairs(reply: list[Any]) -> list[Entry]:
    if reply and isinstance(reply[0], list | tuple):
        return [(str(m), float(s)) for m, s in reply]
    return [(str(reply[i]), float(reply[i + 1])) for i in range(0, len(reply), 2)]


# --- naive variant, kept to show how it fails --------------------------------------------------


def naive_pop_next(r: Any, queue: str) -> Entry | None:
    """ZRANGE 0 0 to peek, then ZREM: two workers peek the same job and both run it."""
    head = r.execute_command("ZRANGE", queue, 0, 0, "WITHSCORES")
    if not head:
        return None
    job, priority = _pairs(head)[0]
    r.zrem(queue, job)  # the reply (0 when another worker removed it first) is ignored
    return job, priority
