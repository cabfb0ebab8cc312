"""Checks of the sorted-sets drill; each runs against any implementation of the priority-queue interface."""

from __future__ import annotations

from typing import Any

from redisprep.drills._structures import wake_blocked
from redisprep.drills.check_helpers import Verdict, check, in_lockstep, verdict
from redisprep.drills.context import DrillContext

WORKERS = 8
JOBS = 40
BLOCK_TIMEOUT_S = 2.0  # an upper bound only: the ZADD wakes the consumer long before


def fill(ctx: DrillContext, impl: Any, queue: str, count: int) -> dict[str, float]:
    """``count`` jobs with seeded priorities 1..5 (many ties)."""
    rng = ctx.fork_rng(f"fill:{queue.removeprefix(ctx.ns.prefix)}")  # not the run id: --seed repeats
    jobs = {f"job-{i:03d}": float(rng.randint(1, 5)) for i in range(count)}
    ctx.r.delete(queue)
    for job, priority in jobs.items():
        impl.schedule(ctx.r, queue, job, priority)
    return jobs


@check("sorted-sets.priority_order", "jobs come out most urgent first")
def priority_order(ctx: DrillContext, impl: Any) -> Verdict:
    """One consumer pops everything: lowest priority number first, ties by member name."""
    queue = ctx.key("zset", "jobs", "order")
    jobs = fill(ctx, impl, queue, 20)
    got = []
    while (entry := impl.pop_next(ctx.r, queue)) is not None:
        got.append(entry)
    want = sorted(jobs.items(), key=lambda e: (e[1], e[0]))
    return verdict(
        got == want,
        f"{len(got)} jobs popped in {'priority' if got == want else 'the WRONG'} order",
        pitfall="ZPOPMIN takes the lowest score; equal scores come out in member order",
        popped=len(got),
    )


@check("sorted-sets.exactly_once", "concurrent workers take each job exactly once")
def exactly_once(ctx: DrillContext, impl: Any) -> Verdict:
    """8 workers pop in lockstep until the queue is empty; no job may run twice."""
    queue = ctx.key("zset", "jobs", "shared")
    fill(ctx, impl, queue, JOBS)

    def worker(_i: int, client: Any) -> list[str]:
        taken = []
        while (entry := impl.pop_next(client, queue)) is not None:
            taken.append(entry[0])
        return taken

    taken = [job for per_worker in in_lockstep(ctx, WORKERS, worker) for job in per_worker]
    duplicates = len(taken) - len(set(taken))
    missing = JOBS - len(set(taken))
    return verdict(
        duplicates == 0 and missing == 0,
        f"{len(taken)} jobs run for {JOBS} queued: {duplicates} duplicates, {missing} missing",
        pitfall="ZRANGE 0 0 then ZREM lets every worker peek the same head and run it; ZPOPMIN "
        "removes and returns in one command",
        runs=len(taken),
        duplicates=duplicates,
    )


@check("sorted-sets.ranges", "ranges by score and by rank")
def ranges(ctx: DrillContext, impl: Any) -> Verdict:
    """``due(upto)`` is a score range; ``page(start, stop)`` a rank range; neither removes anything."""
    queue = ctx.key("zset", "jobs", "ranges")
    jobs = fill(ctx, impl, queue, 30)
    order = sorted(jobs.items(), key=lambda e: (e[1], e[0]))
    due = impl.due(ctx.r, queue, 2, 100)
    want_due = [e for e in order if e[1] <= 2]
    page = impl.page(ctx.r, queue, 10, 14)
    left = int(ctx.r.zcard(queue))
    ok = due == want_due and page == order[10:15] and left == len(jobs)
    return verdict(
        ok,
        f"{len(due)} jobs with priority <= 2 (want {len(want_due)}); ranks 10-14 "
        f"{'match' if page == order[10:15] else 'differ'}; {left} of {len(jobs)} still queued",
        pitfall="BYSCORE ranges are inclusive unless the bound starts with '('; ranks count from 0",
        due=len(due),
    )


@check("sorted-sets.blocking_pop", "a blocked BZPOPMIN wakes on ZADD")
def blocking_pop(ctx: DrillContext, impl: Any) -> Verdict:
    """An idle worker waits in ``pop_next_blocking``; another client schedules a job; it gets it."""
    queue = ctx.key("zset", "jobs", "idle")
    ctx.r.delete(queue)
    woken = wake_blocked(
        ctx,
        lambda client: impl.pop_next_blocking(client, queue, BLOCK_TIMEOUT_S),
        lambda client: impl.schedule(client, queue, "job-urgent", 1),
    )
    ok = woken.reply == ("job-urgent", 1.0) and woken.waited_ms < BLOCK_TIMEOUT_S * 1000
    how = "seen blocked by CLIENT LIST, then " if woken.seen_blocked else ""
    return verdict(
        ok,
        f"worker {how}woke with {woken.reply} after {woken.waited_ms:.0f} ms (timeout {BLOCK_TIMEOUT_S:g} s)",
        pitfall="BZPOPMIN must hand over the job another client adds, before its timeout",
        waited_ms=round(woken.waited_ms, 1),
    )


CHECKS = (priority_order, exactly_once, ranges, blocking_pop)
