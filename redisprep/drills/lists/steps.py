"""The narrated steps of the lists drill."""

from __future__ import annotations

import time

from redisprep.drills._structures import (
    EncodingCase,
    command_table,
    commands_since,
    encoding_source_note,
    encoding_table,
    mark,
)
from redisprep.drills.check_helpers import variant
from redisprep.drills.context import DrillContext
from redisprep.drills.lists import checks
from redisprep.drills.lists import reference as ls
from redisprep.drills.model import DataTable, Step, StepOutcome

NAIVE = variant(ls, claim=ls.naive_claim, ack=ls.naive_ack, recover=ls.naive_recover)
EMPTY_TIMEOUT_S = 0.1
FEED_CAP = 5


def queues(ctx: DrillContext) -> StepOutcome:
    start = mark(ctx)
    queue = ctx.key("list", "emails")
    for job in ("welcome:ada", "receipt:bob", "reset:cy"):
        with ctx.tracer.operation("enqueue (LPUSH)"):
            ls.push(ctx.r, queue, job)
    with ctx.tracer.operation("dequeue (RPOP)"):
        first = ctx.r.rpop(queue)
    feed = ctx.key("list", "feed", "ada")
    for i in range(8):
        with ctx.tracer.operation("capped feed (LPUSH + LTRIM)"):
            pipe = ctx.r.pipeline(transaction=True)
            pipe.lpush(feed, f"event-{i}")
            pipe.ltrim(feed, 0, FEED_CAP - 1)
            pipe.execute()
    with ctx.tracer.operation("read a range (LRANGE)"):
        latest = ctx.r.lrange(feed, 0, -1)
    with ctx.tracer.operation("read by index (LINDEX)"):
        ctx.r.lindex(feed, 2)
    return StepOutcome(
        narration=(
            "A list is a sequence of strings with O(1) push and pop at both ends, which makes it a "
            "queue (`LPUSH` + `RPOP`), a stack (`LPUSH` + `LPOP`) or a capped log. Reaching into "
            "the middle (`LINDEX`, `LSET`, `LINSERT`) walks the list: O(N).",
            f"The first email job out was {first}: first in, first out. A feed that keeps only the "
            f"latest {FEED_CAP} events is `LPUSH` then `LTRIM 0 {FEED_CAP - 1}` in one transaction; "
            f"after 8 events it holds {', '.join(latest)}.",
        ),
        figures=(command_table(ctx, commands_since(ctx, start)),),
        checks=(checks.fifo.run(ctx, ls),),
    )


def blocking(ctx: DrillContext) -> StepOutcome:
    start = mark(ctx)
    empty = ctx.key("list", "{idle}", "queue")
    with ctx.tracer.operation("wait for a job (BRPOP, empty list)"):
        t0 = time.perf_counter()
        nothing = ctx.r.brpop([empty], timeout=EMPTY_TIMEOUT_S)
        waited_s = time.perf_counter() - t0
    with ctx.tracer.operation("wait and move (BLMOVE, empty list)"):
        t0 = time.perf_counter()
        ctx.r.blmove(empty, ctx.key("list", "{idle}", "processing"), EMPTY_TIMEOUT_S, "RIGHT", "LEFT")
        moved_waited_s = time.perf_counter() - t0
    woke = checks.blocking_pop.run(ctx, ls)
    blmove_blocked = moved_waited_s >= EMPTY_TIMEOUT_S * 0.8
    blmove_note = (
        "`BLMOVE` waited for its timeout too, as it should."
        if blmove_blocked
        else "`BLMOVE` returned at once instead of waiting: a known fakeredis gap (Redis blocks "
        "for the whole timeout, like `BRPOP`). The reliable queue below works either way, because "
        "it only claims when there are jobs."
    )
    return StepOutcome(
        narration=(
            "Workers should not poll an empty queue in a loop. `BRPOP queue timeout` parks the "
            "connection inside the server until an element arrives or the timeout passes; a push "
            "from any client hands the element straight to the longest-waiting consumer.",
            f"On an empty list `BRPOP` with a {EMPTY_TIMEOUT_S:g} s timeout returned "
            f"{'nil' if nothing is None else nothing} after the timeout "
            f"({'it blocked' if waited_s >= EMPTY_TIMEOUT_S * 0.8 else 'it did NOT block'}). {blmove_note}",
            "A blocked connection can do nothing else, so give each blocking consumer its own "
            "connection, and keep timeouts below the client's socket timeout.",
        ),
        figures=(command_table(ctx, commands_since(ctx, start)),),
        checks=(woke,),
    )


def reliable_queue(ctx: DrillContext) -> StepOutcome:
    start = mark(ctx)
    queue = ctx.key("list", "{orders}", "queue")
    processing = ctx.key("list", "{orders}", "processing", "worker-1")
    for order in ("order-1", "order-2"):
        with ctx.tracer.operation("enqueue (LPUSH)"):
            ls.push(ctx.r, queue, order)
    with ctx.tracer.operation("claim (LMOVE queue -> processing)"):
        job = ls.claim(ctx.r, queue, processing)
    state = [("after claim", ctx.r.lrange(queue, 0, -1), ctx.r.lrange(processing, 0, -1))]
    with ctx.tracer.operation("ack (LREM processing)"):
        ls.ack(ctx.r, processing, str(job))
    state.append(("after ack", ctx.r.lrange(queue, 0, -1), ctx.r.lrange(processing, 0, -1)))
    naive = checks.no_lost_jobs.run(ctx, NAIVE).expecting_failure()
    reference = checks.no_lost_jobs.run(ctx, ls)
    rows = tuple((when, ", ".join(q) or "-", ", ".join(p) or "-") for when, q, p in state)
    return StepOutcome(
        narration=(
            "`RPOP` hands a job out and forgets it: if the worker dies before finishing, the job is "
            "gone. `LMOVE queue processing RIGHT LEFT` hands it out and, in the same atomic command, "
            "keeps a copy in the worker's own processing list. `LREM processing 1 job` is the ack; "
            "a supervisor moves a dead worker's processing list back to the queue.",
            f"Worker 1 claimed {job}; the table shows where it sat. Below, a worker dies while "
            f"holding job {checks.CRASH_ON:02d} of {checks.JOBS}. Redis Streams with consumer groups "
            "(XREADGROUP, XACK, XAUTOCLAIM) give the same guarantee with more bookkeeping built in.",
        ),
        figures=(
            DataTable("reliable queue", ("", "queue", "processing (worker-1)"), rows),
            command_table(ctx, commands_since(ctx, start)),
        ),
        checks=(naive, reference),
    )


def encodings(ctx: DrillContext) -> StepOutcome:
    def build(name: str, items: list[str]) -> str:
        key = ctx.key("list", "enc", name)
        with ctx.tracer.paused():
            ctx.r.rpush(key, *items)
        return key

    cases = (
        EncodingCase("5 short items", build("small", [f"i{n}" for n in range(5)]), 5),
        EncodingCase("2,000 short items", build("long", [f"item-{n}" for n in range(2000)]), 2000),
        EncodingCase("1 item of 10,000 bytes", build("big", ["x" * 10_000]), 1),
    )
    table, encoding_checks = encoding_table(ctx, "lists", cases)
    return StepOutcome(
        narration=(
            "A list is a quicklist: a doubly linked list of listpack nodes, each node up to 8 KB "
            "(`list-max-listpack-size -2`). Pushes and pops touch only an end node; `LINDEX` skips "
            "whole nodes by their counts but is still O(N).",
            "Redis 7.0 reports `quicklist` for every list, even one with a single element. Redis "
            "7.2 added a plain `listpack` encoding for lists that fit one node, converting to a "
            "quicklist when they outgrow it. " + encoding_source_note(ctx),
        ),
        figures=(table,),
        checks=encoding_checks,
    )


STEPS = (
    Step("Queues, stacks and capped lists", queues),
    Step("Blocking pops: wait without polling", blocking),
    Step("A reliable queue with LMOVE", reliable_queue),
    Step("Encodings: quicklist (and listpack on 7.2+)", encodings),
)
