"""The narrated steps of the sorted-sets drill."""

from __future__ import annotations

from redisprep.drills._encoding import limits_of
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
from redisprep.drills.model import DataTable, Step, StepOutcome
from redisprep.drills.sorted_sets import checks
from redisprep.drills.sorted_sets import reference as zs

NAIVE = variant(zs, pop_next=zs.naive_pop_next)
EMPTY_TIMEOUT_S = 0.05
TASKS = (("backup", 5), ("send-invoice", 2), ("resize-image", 3), ("page-oncall", 1), ("reindex", 3))


def ordered_by_score(ctx: DrillContext) -> StepOutcome:
    start = mark(ctx)
    queue = ctx.key("zset", "tasks")
    for task, priority in TASKS:
        with ctx.tracer.operation("add (ZADD)"):
            zs.schedule(ctx.r, queue, task, priority)
    with ctx.tracer.operation("score of a member (ZSCORE)"):
        ctx.r.zscore(queue, "reindex")
    with ctx.tracer.operation("position of a member (ZRANK)"):
        position = ctx.r.zrank(queue, "reindex")
    with ctx.tracer.operation("range by rank (ZRANGE 0 2)"):
        first_three = zs.page(ctx.r, queue, 0, 2)
    with ctx.tracer.operation("range by score (ZRANGE BYSCORE)"):
        urgent = zs.due(ctx.r, queue, 2, 10)
    with ctx.tracer.operation("count in a score range (ZCOUNT)"):
        middling = ctx.r.zcount(queue, 2, 3)
    rows = tuple((rank, m, s) for rank, (m, s) in enumerate(zs.page(ctx.r, queue, 0, -1)))
    return StepOutcome(
        narration=(
            "A sorted set keeps unique members ordered by a floating-point score (ties by member "
            "bytes). A hash from member to score answers `ZSCORE` in O(1); a skiplist ordered by "
            "score answers rank and range queries in O(log N) plus the rows returned.",
            f"reindex is at rank {position} (0-based). By rank, `ZRANGE tasks 0 2` gives "
            f"{', '.join(m for m, _ in first_three)}; by score, `ZRANGE tasks -inf 2 BYSCORE` gives "
            f"{', '.join(m for m, _ in urgent)}; {middling} tasks have a priority from 2 to 3. "
            "With `BYLEX` it also ranges by member text when all scores are equal.",
        ),
        figures=(
            DataTable("tasks", ("rank", "member", "score"), rows),
            command_table(ctx, commands_since(ctx, start)),
        ),
        checks=(checks.ranges.run(ctx, zs),),
    )


def priority_queue(ctx: DrillContext) -> StepOutcome:
    start = mark(ctx)
    queue = ctx.key("zset", "pq")
    for task, priority in TASKS:
        zs.schedule(ctx.r, queue, task, priority)
    popped = []
    for _ in range(2):
        with ctx.tracer.operation("take the most urgent (ZPOPMIN)"):
            popped.append(zs.pop_next(ctx.r, queue))
    naive = checks.exactly_once.run(ctx, NAIVE).expecting_failure()
    reference = checks.exactly_once.run(ctx, zs)
    return StepOutcome(
        narration=(
            "Score = priority (or the Unix time a job becomes due) turns a sorted set into a "
            "priority queue. `ZPOPMIN` removes and returns the lowest score in one command, "
            f"so two workers can never take the same job. The first two out: "
            f"{', '.join(f'{m} ({s:g})' for m, s in filter(None, popped))}.",
            "Peeking with `ZRANGE 0 0` and then `ZREM` is two commands: under load every idle "
            f"worker peeks the same head. Here {checks.WORKERS} workers drain {checks.JOBS} jobs "
            "in lockstep both ways.",
        ),
        figures=(command_table(ctx, commands_since(ctx, start)),),
        checks=(naive, reference, checks.priority_order.run(ctx, zs)),
    )


def blocking(ctx: DrillContext) -> StepOutcome:
    start = mark(ctx)
    with ctx.tracer.operation("wait for a job (BZPOPMIN, nothing comes)"):
        nothing = zs.pop_next_blocking(ctx.r, ctx.key("zset", "idle-empty"), EMPTY_TIMEOUT_S)
    woke = checks.blocking_pop.run(ctx, zs)
    return StepOutcome(
        narration=(
            "`BZPOPMIN queue timeout` is the blocking form: an idle worker waits inside the server "
            "until another client adds a member, then gets the lowest-scored one. Blocking works "
            "the same on fakeredis and on Redis for `BZPOPMIN` (unlike `BLMOVE`, see the lists drill). "
            f"With nothing to take it returns {'nil' if nothing is None else nothing} after its "
            f"timeout ({EMPTY_TIMEOUT_S:g} s here).",
            "For delayed jobs (score = due time) a blocking pop is not enough: it would hand out a "
            "job that is not due yet. Poll `ZRANGE queue -inf <now> BYSCORE LIMIT 0 10` on a timer, "
            "then claim each job with `ZREM` (1 = yours) or a Lua script.",
        ),
        figures=(command_table(ctx, commands_since(ctx, start)),),
        checks=(woke,),
    )


def encodings(ctx: DrillContext) -> StepOutcome:
    limits = limits_of(ctx)
    entries, value = limits.zset_max_listpack_entries, limits.zset_max_listpack_value

    def build(name: str, count: int, member_len: int = 4) -> str:
        key = ctx.key("zset", "enc", name)
        members = {f"{i:0{member_len}d}": i for i in range(count)}  # zero-padded to member_len bytes
        with ctx.tracer.paused():
            ctx.r.zadd(key, members)
        return key

    cases = (
        EncodingCase("5 members", build("small", 5), 5),
        EncodingCase(f"{entries} members", build("at-limit", entries), entries),
        EncodingCase(f"{entries + 1} members", build("over-limit", entries + 1), entries + 1),
        EncodingCase(f"3 members of {value + 1} bytes", build("long", 3, value + 1), 3),
    )
    table, encoding_checks = encoding_table(ctx, "sorted-sets", cases)
    return StepOutcome(
        narration=(
            f"A small sorted set is a listpack of (member, score) pairs kept in score order: at "
            f"most {entries} members (`zset-max-listpack-entries`) of at most {value} bytes "
            f"(`zset-max-listpack-value`). Beyond either it becomes a skiplist plus a hashtable, "
            "O(log N) per operation, and never converts back while the server runs.",
            encoding_source_note(ctx),
        ),
        figures=(table,),
        checks=encoding_checks,
    )


STEPS = (
    Step("Ordered by score: ranges by rank and by score", ordered_by_score),
    Step("A priority queue with ZPOPMIN", priority_queue),
    Step("Blocking pops: BZPOPMIN", blocking),
    Step("Encodings: listpack, then skiplist", encodings),
)
