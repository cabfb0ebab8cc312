"""Checks of the lists drill; each runs against any implementation of the reliable-queue interface."""

from __future__ import annotations

from typing import Any

from redisprep.drills._structures import wake_blocked
from redisprep.drills.check_helpers import Verdict, check, verdict
from redisprep.drills.context import DrillContext

JOBS = 10
CRASH_ON = 4  # the worker dies after taking this job and before acking it
BLOCK_TIMEOUT_S = 2.0  # an upper bound only: the push wakes the consumer long before


class WorkerCrashedError(Exception):
    """Stands in for a worker process dying mid-job."""


@check("lists.fifo", "jobs come out in the order they went in")
def fifo(ctx: DrillContext, impl: Any) -> Verdict:
    """One worker drains the queue: first in, first out, and every job is acked."""
    queue = ctx.key("list", "{jobs-fifo}", "queue")
    processing = ctx.key("list", "{jobs-fifo}", "processing", "w1")
    ctx.r.delete(queue, processing)
    sent = [f"job-{i:02d}" for i in range(JOBS)]
    for job in sent:
        impl.push(ctx.r, queue, job)
    got = []
    while (job := impl.claim(ctx.r, queue, processing)) is not None:
        got.append(job)
        impl.ack(ctx.r, processing, job)
    left = int(ctx.r.llen(processing))
    return verdict(
        got == sent and left == 0,
        f"{len(got)} jobs out in {'the same' if got == sent else 'a different'} order; {left} left unacked",
        pitfall="push and pop at opposite ends (LPUSH + RPOP/LMOVE RIGHT) for FIFO",
        left=left,
    )


@check("lists.no_lost_jobs", "a worker crash loses no job")
def no_lost_jobs(ctx: DrillContext, impl: Any) -> Verdict:
    """Worker 1 dies holding job CRASH_ON; after recovery worker 2 finishes everything."""
    queue = ctx.key("list", "{jobs}", "queue")
    dead, alive = (ctx.key("list", "{jobs}", "processing", w) for w in ("w1", "w2"))
    ctx.r.delete(queue, dead, alive)
    for i in range(JOBS):
        impl.push(ctx.r, queue, f"job-{i:02d}")
    done: list[str] = []

    def work(processing: str, crash_on: int | None) -> None:
        while (job := impl.claim(ctx.r, queue, processing)) is not None:
            if crash_on is not None and job == f"job-{crash_on:02d}":
                raise WorkerCrashedError(job)
            done.append(job)
            impl.ack(ctx.r, processing, job)

    try:
        work(dead, CRASH_ON)
    except WorkerCrashedError:
        pass
    recovered = impl.recover(ctx.r, queue, dead)
    work(alive, None)
    lost = JOBS - len(set(done))
    return verdict(
        lost == 0 and len(done) == JOBS,
        f"{len(set(done))} of {JOBS} jobs done after the crash ({recovered} recovered); {lost} lost",
        pitfall="RPOP removes the job when it is handed out; a worker that dies before finishing "
        "takes it with it. LMOVE keeps a copy in a processing list until the ack",
        done=len(set(done)),
        lost=lost,
        recovered=recovered,
    )


@check("lists.blocking_pop", "a blocked consumer wakes when another client pushes")
def blocking_pop(ctx: DrillContext, impl: Any) -> Verdict:
    """BRPOP on an empty list, then LPUSH from another client: the consumer gets that job at once.

    Checks the structure itself (BRPOP), not an implementation: not part of practice grading.
    """
    queue = ctx.key("list", "wake", "queue")
    woken = wake_blocked(
        ctx,
        lambda client: client.brpop([queue], timeout=BLOCK_TIMEOUT_S),
        lambda client: client.lpush(queue, "job-urgent"),
    )
    got = None if woken.reply is None else str(woken.reply[1])
    ok = got == "job-urgent" and woken.waited_ms < BLOCK_TIMEOUT_S * 1000
    how = "seen blocked by CLIENT LIST, then " if woken.seen_blocked else ""
    return verdict(
        ok,
        f"consumer {how}woke with {got} after {woken.waited_ms:.0f} ms (timeout {BLOCK_TIMEOUT_S:g} s)",
        pitfall="a blocked BRPOP must return the pushed element before its timeout",
        waited_ms=round(woken.waited_ms, 1),
    )


CHECKS = (fifo, no_lost_jobs)
