"""The narrated steps of the hyperloglog drill."""

from __future__ import annotations

from redisprep.drills._structures import (
    EncodingCase,
    command_table,
    commands_since,
    encoding_table,
    mark,
)
from redisprep.drills.context import DrillContext
from redisprep.drills.hyperloglog import checks
from redisprep.drills.hyperloglog import reference as hll
from redisprep.drills.hyperloglog.checks import CHUNK, how_close
from redisprep.drills.model import DataTable, Scalar, Step, StepOutcome

SIZES = (100, 1_000, 5_000)


REGISTER_BYTES = 16_384 * 6 // 8
"""The dense registers: 16,384 of 6 bits, 12,288 bytes (12 KB)."""
#: Measured on Redis 7.0.15 (jemalloc 5.3.0) for a dense HyperLogLog under the one-letter key ``h``.
MEASURED_MEMORY_USAGE, MEASURED_BLOCK = 14_384, 14_336


def _memory(ctx: DrillContext, key: str) -> Scalar:
    """MEMORY USAGE where the server has it (fakeredis does not)."""
    if not ctx.backend.has_command("memory"):
        return "n/a (no MEMORY USAGE)"
    with ctx.tracer.paused():
        return int(ctx.r.memory_usage(key) or 0)


def _footprint(ctx: DrillContext, key: str, memory: Scalar) -> str:
    """What the HyperLogLog's 12 KB turns into on this backend, measured where possible."""
    registers = (
        f"Its memory has a ceiling: 16,384 registers of 6 bits, 12 KB ({REGISTER_BYTES:,} bytes), "
        f"whatever the number of items. Redis 7.0 stores them as one string of {hll.DENSE_BYTES:,} "
        "bytes, a 16-byte header in front, and uses a shorter sparse string until the key outgrows "
        "it (step 3)."
    )
    if not isinstance(memory, int):
        return (
            f"{registers} `MEMORY USAGE` reports more than the string: on Redis 7.0.15 it gave "
            f"{MEASURED_MEMORY_USAGE:,} bytes for a dense HyperLogLog under a one-letter key, because "
            f"the allocator hands out a {MEASURED_BLOCK:,}-byte block for the {hll.DENSE_BYTES:,}-byte "
            "string, and the key and object header add the rest. The embedded backend has neither the "
            "registers nor `MEMORY USAGE`; run with `--url` to measure them."
        )
    with ctx.tracer.paused():
        length = int(ctx.r.strlen(key))
    shape = "dense" if length == hll.DENSE_BYTES else "not dense"
    return (
        f"{registers} This key is {length:,} bytes (`STRLEN`, {shape}), and `MEMORY USAGE` reports "
        f"{memory:,}: the allocator rounds the string up to its next block size, and the key name and "
        "object header come on top."
    )


def counting(ctx: DrillContext) -> StepOutcome:
    start = mark(ctx)
    day, exact_set = ctx.key("hll", "visitors", "mon"), ctx.key("hll", "visitors-set", "mon")
    data = checks.day_visits(ctx)  # the check's visits: the table and the check agree
    for first in range(0, len(data), CHUNK):
        with ctx.tracer.operation(f"record {CHUNK:,} visits (PFADD)"):
            hll.add_many(ctx.r, day, data[first : first + CHUNK])
    with ctx.tracer.operation("distinct visitors (PFCOUNT)"):
        estimate = hll.count(ctx.r, [day])
    with ctx.tracer.paused():
        for first in range(0, len(data), CHUNK):
            ctx.r.sadd(exact_set, *data[first : first + CHUNK])
    with ctx.tracer.operation("exact count (SCARD)"):
        exact = int(ctx.r.scard(exact_set))
    memory = _memory(ctx, day)
    rows = (
        ("HyperLogLog (PFCOUNT)", estimate, memory),
        ("set (SCARD)", exact, _memory(ctx, exact_set)),
    )
    approximate = not (ctx.backend.is_simulated and estimate == exact)
    note = (
        f"Redis estimated {estimate:,} for {exact:,} distinct users: {how_close(estimate, exact, False)}."
        if approximate
        else f"The embedded backend reports {estimate:,}, exactly the {exact:,} distinct users: fakeredis "
        "keeps a real set behind the PF* commands, so it counts exactly. Redis approximates, "
        "with a standard error of 0.81%; run with `--url` to see a real estimate."
    )
    return StepOutcome(
        narration=(
            "A HyperLogLog estimates how many distinct items it has seen without storing them: "
            "`PFADD` records items (O(1) each) and `PFCOUNT` estimates the count. It cannot list or "
            "test members. Use it for unique visitors, distinct searches, distinct IPs per hour: "
            "counts where about 1% error is fine and a set would be huge.",
            _footprint(ctx, day, memory),
            f"{len(data):,} visits by {exact:,} distinct users went in, the same visits the check "
            f"below records. {note}",
        ),
        figures=(
            DataTable("distinct users, two ways", ("structure", "count", "bytes (MEMORY USAGE)"), rows),
            command_table(ctx, commands_since(ctx, start)),
        ),
        checks=(checks.distinct_count.run(ctx, hll),),
    )


def merging(ctx: DrillContext) -> StepOutcome:
    start = mark(ctx)
    days = [ctx.key("hll", "{week}", d) for d in ("mon", "tue", "wed")]
    week = ctx.key("hll", "{week}", "mon-wed")
    per_day = checks.week_visits(ctx)  # the check's three days: the table and the check agree
    daily = []
    for key, data in zip(days, per_day, strict=True):
        with ctx.tracer.operation(f"record a day ({len(data):,} visits, PFADD)"):
            hll.add_many(ctx.r, key, data)
        daily.append(hll.count(ctx.r, [key]))
    with ctx.tracer.operation("count the union on the fly (PFCOUNT k1 k2 k3)"):
        union = hll.count(ctx.r, days)
    with ctx.tracer.operation("store the union (PFMERGE)"):
        hll.merge(ctx.r, week, days)
    merged = hll.count(ctx.r, [week])
    exact = len(set().union(*per_day))
    rows = (
        ("sum of daily PFCOUNTs (wrong)", sum(daily)),
        ("PFCOUNT mon tue wed", union),
        ("PFCOUNT of the PFMERGE result", merged),
        ("exact", exact),
    )
    return StepOutcome(
        narration=(
            "HyperLogLogs merge without loss: the union of several is the register-wise maximum. "
            "`PFCOUNT k1 k2 k3` estimates the union on the fly, `PFMERGE dest k1 k2 k3` stores it "
            "(a weekly key built from daily keys). Adding daily counts counts a user who came on "
            f"three days three times: here {sum(daily):,}, for {exact:,} distinct users.",
            f"Each day is {len(per_day[0]):,} visits by users drawn from {checks.WEEK_USERS:,}, the "
            "same three days the check below merges.",
        ),
        figures=(
            DataTable("distinct users, Monday to Wednesday", ("how", "count"), rows),
            command_table(ctx, commands_since(ctx, start)),
        ),
        checks=(checks.union.run(ctx, hll),),
    )


def representation(ctx: DrillContext) -> StepOutcome:
    import redis

    intro = (
        "Redis stores a HyperLogLog as a string with a 16-byte header. A small one is sparse "
        "(run-length encoded registers, a few hundred bytes); once that exceeds "
        "`hll-sparse-max-bytes` (3,000) it becomes dense: 16,384 registers of 6 bits, "
        f"{hll.DENSE_BYTES:,} bytes, fixed from then on. `OBJECT ENCODING` just says `raw`."
    )
    key = ctx.key("hll", "grow")
    rng = ctx.fork_rng("grow")
    try:
        with ctx.tracer.paused():
            hll.add_many(ctx.r, key, ["probe"])
            ctx.r.strlen(key)
    except redis.ResponseError:
        return StepOutcome(
            narration=(
                intro,
                "fakeredis keeps an exact set behind `PFADD`, not Redis's registers, and refuses "
                "`STRLEN` on the key, so the sparse-to-dense switch can only be shown on a live "
                "server (run with `--url`).",
            ),
            skipped="the embedded backend has no HyperLogLog representation to inspect",
        )
    rows: list[tuple[Scalar, ...]] = []
    added = 0
    for size in SIZES:
        with ctx.tracer.paused():
            hll.add_many(ctx.r, key, [f"u{rng.randrange(10**9)}" for _ in range(size - added)])
        added = size
        with ctx.tracer.operation("size of the key (STRLEN)"):
            length = int(ctx.r.strlen(key))
        with ctx.tracer.operation("the header's encoding byte (GETRANGE key 4 4)"):
            flag = ctx.r.getrange(key, 4, 4)
        rows.append((f"~{size:,} added", length, "sparse" if flag == "\x01" else "dense"))
    table, encoding_checks = encoding_table(
        ctx, "hyperloglog", (EncodingCase("the HyperLogLog", key, added, changed_in_place=True),)
    )
    return StepOutcome(
        narration=(
            intro,
            "The table reads the key's length and the encoding byte of its header (byte 4: 1 is "
            "sparse, 0 dense) as it grows.",
        ),
        figures=(
            DataTable("sparse, then dense", ("items", "bytes (STRLEN)", "representation"), tuple(rows)),
            table,
        ),
        checks=encoding_checks,
    )


STEPS = (
    Step("Counting distinct users in 12 KB", counting),
    Step("Merging days into a week", merging),
    Step("Sparse, then dense", representation),
)
