"""A reliable work queue on lists: LMOVE hands each job to a per-worker processing list until acked.

Interface (``r`` is a ``redis.Redis`` client; on a cluster give ``queue`` and every processing
list one hash tag, since LMOVE touches both):

- ``push(r, queue, job) -> int``: enqueue a job; returns the queue length.
- ``claim(r, queue, processing, timeout_s=0) -> str | None``: take the oldest job, keeping a copy
  in ``processing``; with ``timeout_s`` > 0 wait up to that long for one.
- ``ack(r, processing, job) -> bool``: the job is done; forget the copy.
- ``recover(r, queue, processing) -> int``: a worker died; put its unacked jobs back at the
  front of the queue. Returns how many were put back.

``claim`` and ``ack`` cost one round trip each; ``recover`` one per job it moves.
"""

from __future__ import annotations

from typing import Any


def push(r: Any, queue: str, job: str) -> int:
    """LPUSH: new jobs enter at the head, O(1); workers take from the tail (FIFO)."""
    return int(r.lpush(queue, job))


def claim(r: Any, queue: str, processing: str, timeout_s: float = 0) -> str | None:
    """LMOVE queue processing RIGHT LEFT (BLMOVE with a timeout): O(1), atomic.

    The job is never only in the worker's memory: it moves to ``processing`` in the same command
    that hands it out, so a crash before :func:`ack` leaves it recoverable.
    """
    if timeout_s > 0:
        job = r.blmove(queue, processing, timeout_s, "RIGHT", "LEFT")
    else:
        job = r.lmove(queue, processing, "RIGHT", "LEFT")
    return None if job is None else str(job)


def ack(r: Any, processing: str, job: str) -> bool:
    """LREM processing 1 job: O(N) in the processing list, which holds only this worker's jobs."""
    return int(r.lrem(processing, 1, job)) == 1


def recover(r: Any, queue: str, processing: str) -> int:
    """Move a dead worker's unacked jobs back to the tail of ``queue`` (next in line), one LMOVE each."""
    moved = 0
    while r.lmove(processing, queue, "RIGHT", "RIGHT") is not None:
        moved += 1
    return moved


# --- naive variants, kept to show how they fail -------------------------------------------------


def naive_claim(r: Any, queue: str, processing: str, timeout_s: float = 0) -> str | None:
    """RPOP: the job leaves Redis when it is handed out; if the worker dies, the job is gone."""
    job = r.rpop(queue)
    return None if job is None else str(job)


def naive_ack(r: Any, processing: str, job: str) -> bool:
    """Nothing to acknowledge: no copy was kept."""
    return True


def naive_recover(r: Any, queue: str, processing: str) -> int:
    """Nothing to recover."""
    return 0
