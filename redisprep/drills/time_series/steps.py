"""The narrated steps of the time-series drill."""

from __future__ import annotations

import math

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
from redisprep.drills.model import CheckResult, DataTable, Scalar, Step, StepOutcome, status_of
from redisprep.drills.time_series import checks
from redisprep.drills.time_series import reference as ts
from redisprep.drills.time_series.checks import BUCKET_MS, HOUR, STEP_MS, T0

NAIVE = variant(ts, add_many=ts.naive_add_many)
RETENTION_MS = 30 * 60_000
NOW = T0 + HOUR * STEP_MS  # the injected "now": the end of the hour of readings


def _series(ctx: DrillContext) -> tuple[str, list[ts.Point]]:
    """The sensor's key and its hour of readings (the same in every step of a run)."""
    return ctx.key("ts", "sensor", "greenhouse-1"), checks.readings(ctx.fork_rng("sensor"))


def _minute(stamp: int) -> str:
    """A timestamp as minutes:seconds after the start of the hour."""
    seconds = (stamp - T0) // 1000
    return f"+{seconds // 60:02d}:{seconds % 60:02d}"


def core_series(ctx: DrillContext) -> StepOutcome:
    start = mark(ctx)
    key, data = _series(ctx)
    with ctx.tracer.operation("append an hour of readings (one ZADD)"):
        added = ts.add_many(ctx.r, key, data)
    with ctx.tracer.operation("append one reading (ZADD)"):
        ts.add_many(ctx.r, key, [data[-1]])  # a retried write: same member, nothing new
    window = (T0 + 50 * 60_000, T0 + 55 * 60_000 - 1)
    with ctx.tracer.operation("read a time range (ZRANGE BYSCORE)"):
        recent = ts.points(ctx.r, key, *window)
    with ctx.tracer.operation("count in a time range (ZCOUNT)"):
        in_window = ctx.r.zcount(key, *window)
    naive = checks.every_point_kept.run(ctx, NAIVE).expecting_failure()
    reference = checks.every_point_kept.run(ctx, ts)
    rows = tuple((_minute(t), v) for t, v in recent[:5])
    return StepOutcome(
        narration=(
            "Every Redis has sorted sets, so a time series can be one: score = timestamp in "
            "milliseconds (exact as a double up to 2^53 ms, some 285,000 years), member = the "
            "reading. "
            f"`ZADD` stored {added} readings, one every {STEP_MS // 1000} s for an hour, in one "
            "command; a late reading lands in time order all the same, and a retried write of the "
            "same point adds nothing.",
            f"A time range is a score range: `ZRANGE key <from> <to> BYSCORE` returned the "
            f"{in_window} readings of minutes 50-54, O(log N + M). The member must include the "
            "timestamp (`<ts>:<value>`): a sorted set keeps each member once, so with the bare "
            "value as member, an equal later reading moves the earlier one.",
            "A stream (`XADD key <ms>-* v 21.5`, `XRANGE`) also works and keeps fields per entry, "
            "but rejects points older than its last id.",
        ),
        figures=(
            DataTable("minutes 50-54 (first 5 readings)", ("time", "°C"), rows),
            command_table(ctx, commands_since(ctx, start)),
        ),
        checks=(naive, reference, checks.time_range.run(ctx, ts)),
    )


def downsampling(ctx: DrillContext) -> StepOutcome:
    start = mark(ctx)
    key, data = _series(ctx)
    if not ctx.r.exists(key):
        ts.add_many(ctx.r, key, data)
    with ctx.tracer.operation("downsample to 5-minute buckets (EVAL)"):
        buckets = ts.downsample(ctx.r, key, T0, T0 + HOUR * STEP_MS, BUCKET_MS)
    with ctx.tracer.operation("retention (ZREMRANGEBYSCORE)"):
        removed = ts.trim(ctx.r, key, NOW - RETENTION_MS)
    rows: tuple[tuple[Scalar, ...], ...] = tuple(
        (_minute(b.start), b.count, round(b.mean, 3), b.low, b.high) for b in buckets
    )
    return StepOutcome(
        narration=(
            "Dashboards want buckets, not raw points. Downsampling is a range query plus "
            "aggregation; run as one Lua script it reads the range inside the server and sends "
            f"back only the buckets: {len(buckets)} rows instead of {len(data)} readings. Buckets "
            f"start at multiples of the bucket size ({BUCKET_MS // 60_000} min here), as TS.RANGE "
            "aligns them.",
            "Lua numbers are doubles, and a script's numeric reply is truncated to an integer, so "
            "the script returns every number as text. Retention is a range delete: keeping 30 "
            f"minutes, `ZREMRANGEBYSCORE key -inf (<now - 30 min>` dropped the {removed} older "
            "readings. Run it on a timer, or after each write.",
        ),
        figures=(
            DataTable("5-minute buckets", ("bucket", "readings", "avg", "min", "max"), rows),
            command_table(ctx, commands_since(ctx, start)),
        ),
        checks=(checks.downsample.run(ctx, ts),),
    )


def module_series(ctx: DrillContext) -> StepOutcome:
    intro = (
        "RedisTimeSeries (`TS.*`: Redis Stack, and built into Redis 8) stores samples in compressed "
        "chunks and does the same server-side: `TS.ADD`/`TS.MADD` append, `TS.RANGE ... AGGREGATION "
        "avg 300000` downsamples, `RETENTION` drops old samples by itself, and `TS.CREATERULE` keeps "
        "a downsampled series up to date on every write."
    )
    if not ctx.backend.has_command("ts.range"):
        return StepOutcome(
            narration=(
                intro,
                "This server has no `TS.RANGE` (detected with `COMMAND INFO`; no RedisTimeSeries "
                "module is loaded), so only the sorted-set version runs here.",
            ),
            skipped="this server has no TS.* commands (RedisTimeSeries is not loaded)",
        )
    start = mark(ctx)
    key, data = _series(ctx)
    core_key = ctx.key("ts", "sensor", "greenhouse-1-core")
    ts.add_many(ctx.r, core_key, data)
    module_key = ctx.key("ts", "sensor", "greenhouse-1-ts")
    with ctx.tracer.operation("create (TS.CREATE)"):
        ts.ts_create(ctx.r, module_key)
    with ctx.tracer.operation("append an hour (TS.MADD)"):
        ts.ts_add_many(ctx.r, module_key, data)
    end = T0 + HOUR * STEP_MS
    module: dict[str, list[ts.Point]] = {}
    for agg in ("avg", "min", "max", "count"):
        with ctx.tracer.operation(f"downsample (TS.RANGE AGGREGATION {agg})"):
            module[agg] = ts.ts_downsample(ctx.r, module_key, T0, end, BUCKET_MS, agg)
    core = ts.downsample(ctx.r, core_key, T0, end, BUCKET_MS)
    rows = []
    differences = 0
    for i, b in enumerate(core):
        ts_row = {agg: values[i] if i < len(values) else (0, math.nan) for agg, values in module.items()}
        same = (
            all(ts_row[agg][0] == b.start for agg in module)
            and math.isclose(ts_row["avg"][1], b.mean, rel_tol=1e-9)
            and (ts_row["min"][1], ts_row["max"][1], int(ts_row["count"][1])) == (b.low, b.high, b.count)
        )
        differences += not same
        rows.append(
            (_minute(b.start), round(b.mean, 3), round(ts_row["avg"][1], 3), b.count, int(ts_row["count"][1]))
        )
    lengths_match = all(len(values) == len(core) for values in module.values())
    passed = differences == 0 and lengths_match
    result = CheckResult(
        id="time-series.module_matches_core",
        title="TS.RANGE aggregation and the sorted-set version agree",
        status=status_of(passed),
        message=f"{len(core) - differences} of {len(core)} buckets agree on start, avg, min, max and count",
        pitfall=None if passed else "both must align buckets to multiples of the bucket size",
        measured={"buckets": len(core), "differences": differences},
    )
    return StepOutcome(
        narration=(
            intro,
            "This server has them: the same hour went into a `TS.*` series and into a sorted set, "
            "and both were downsampled to 5-minute buckets side by side."
            + (
                " On the embedded backend `TS.*` is fakeredis's emulation, not RedisTimeSeries: it "
                "says what that emulation computes, not how the module stores or costs samples."
                if ctx.backend.is_simulated
                else ""
            ),
        ),
        figures=(
            DataTable(
                "sorted set vs TS.* (5-minute buckets)",
                ("bucket", "avg (zset + Lua)", "avg (TS.RANGE)", "n (zset)", "n (TS)"),
                tuple(rows),
            ),
            command_table(ctx, commands_since(ctx, start)),
        ),
        checks=(result,),
    )


def encodings(ctx: DrillContext) -> StepOutcome:
    key, data = _series(ctx)
    small = ctx.key("ts", "enc", "ten-minutes")
    with ctx.tracer.paused():
        ts.add_many(ctx.r, small, data[:60])
    cases = (
        EncodingCase("10 minutes of readings", small, 60),
        EncodingCase("an hour, trimmed to 30 minutes", key, int(ctx.r.zcard(key))),
    )
    table, encoding_checks = encoding_table(ctx, "time-series", cases)
    return StepOutcome(
        narration=(
            "The series is an ordinary sorted set: a listpack up to 128 members of at most 64 "
            "bytes, a skiplist plus hashtable beyond, roughly 100 bytes per point once it is a "
            "skiplist (`MEMORY USAGE key` on a real server shows it), where RedisTimeSeries packs "
            "samples into compressed chunks. Keep one key per series and per period (a day, say), "
            "or trim it, so no key grows without bound; a key lives on one cluster node.",
            encoding_source_note(ctx),
        ),
        figures=(table,),
        checks=encoding_checks,
    )


STEPS = (
    Step("A series on a sorted set (runs everywhere)", core_series),
    Step("Downsampling and retention with range queries", downsampling),
    Step("The same with TS.* where the server has it", module_series),
    Step("What it is stored as", encodings),
)
