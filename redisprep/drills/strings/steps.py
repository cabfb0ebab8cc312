"""The narrated steps of the strings drill."""

from __future__ import annotations

from redisprep.drills._encoding import EMBSTR_LIMIT
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
from redisprep.drills.strings import checks
from redisprep.drills.strings import reference as st
from redisprep.knowledge.limits import embstr_fits
from redisprep.release import limits_for

NAIVE = variant(st, count=st.naive_count, claim=st.naive_claim)
USERS = checks.USERS


def values_and_counters(ctx: DrillContext) -> StepOutcome:
    start = mark(ctx)
    # One hash tag: MGET reads both, and on a cluster its keys must share a slot.
    page, views = ctx.key("str", "{home}", "page"), ctx.key("str", "{home}", "views")
    with ctx.tracer.operation("SET / GET a value"):
        ctx.r.set(page, "<html>cached home page</html>", ex=300)
        body = ctx.r.get(page)
    for by in (1, 1, 5):
        with ctx.tracer.operation("count (INCRBY)"):
            st.count(ctx.r, views, by)
    with ctx.tracer.operation("read many (MGET)"):
        cached, counted = ctx.r.mget(page, views)
    naive = checks.concurrent_count.run(ctx, NAIVE).expecting_failure()
    atomic = checks.concurrent_count.run(ctx, st)
    return StepOutcome(
        narration=(
            "A string is the simplest value: up to 512 MB of bytes under one key. It holds cached "
            "pages, serialized objects, tokens, flags and counters, and its expiry covers the whole "
            "value in one command (`SET key value EX 300`); a field of a hash gets its own "
            "expiry only from Redis 7.4 (`HEXPIRE`).",
            f"`GET` returned {len(str(body))} bytes and `MGET` read both keys in one round trip "
            f"(the counter reads {counted}). `INCRBY` parses the value as a 64-bit integer, adds and "
            "stores it inside the server, so concurrent counters never lose an increment; "
            "read-modify-write from the application does.",
        ),
        figures=(command_table(ctx, commands_since(ctx, start)),),
        checks=(naive, atomic),
    )


def claim_once(ctx: DrillContext) -> StepOutcome:
    start = mark(ctx)
    key = ctx.key("str", "claim", "email-welcome-42")
    with ctx.tracer.operation("claim (SET NX EX)"):
        first = st.claim(ctx.r, key, "worker-a", checks.TTL_S)
    with ctx.tracer.operation("claim (SET NX EX)"):
        second = st.claim(ctx.r, key, "worker-b", checks.TTL_S)
    ttl = ctx.r.ttl(key)
    naive = checks.claim_once.run(ctx, NAIVE).expecting_failure()
    atomic = checks.claim_once.run(ctx, st)
    return StepOutcome(
        narration=(
            "`SET key owner NX EX 30` writes only if the key is absent and attaches the expiry in "
            'the same command. It is the building block of idempotency keys ("send the welcome '
            'email once"), single-flight cache fills and simple locks.',
            f"worker-a claimed it ({first}), worker-b did not ({second}); the key expires by itself "
            f"in {ttl} s, so a crashed owner cannot hold it forever. Two commands (`SETNX`, then "
            "`EXPIRE`) would leave a key without expiry if the client died between them.",
        ),
        figures=(command_table(ctx, commands_since(ctx, start)),),
        checks=(naive, atomic),
    )


def bitmaps(ctx: DrillContext) -> StepOutcome:
    start = mark(ctx)
    mon, tue = (ctx.key("str", "{dau}", d) for d in ("mon", "tue"))
    both = ctx.key("str", "{dau}", "mon-and-tue")
    # The check's two days: the table and the check agree. Tuesday's last visit is sent on its own.
    days = checks.two_days(ctx)
    visits = {mon: days[0], tue: days[1]}
    last = days[1][-1]
    with ctx.tracer.operation("load two days of visits (pipelined SETBIT)"):
        pipe = ctx.r.pipeline(transaction=False)
        for uid in days[0]:
            st.mark_active(pipe, mon, uid)
        for uid in days[1][:-1]:
            st.mark_active(pipe, tue, uid)
        pipe.execute()
    with ctx.tracer.operation("mark active (SETBIT)"):
        st.mark_active(ctx.r, tue, last)
    counts = []
    for day in (mon, tue):
        with ctx.tracer.operation("count active (BITCOUNT)"):
            counts.append(st.active_count(ctx.r, day))
    with ctx.tracer.operation("active on both days (BITOP AND)"):
        on_both = st.active_on_all(ctx.r, both, [mon, tue])
    size = int(ctx.r.strlen(mon))
    rows = (
        ("monday", len(visits[mon]), counts[0], size),
        ("tuesday", len(visits[tue]), counts[1], int(ctx.r.strlen(tue))),
        ("both (BITOP AND)", "", on_both, int(ctx.r.strlen(both))),
    )
    return StepOutcome(
        narration=(
            'A string is also an array of bits. With numeric user ids, "who was active today" is '
            "one bit per user: `SETBIT dau:mon <user id> 1` is O(1), a repeat visit sets the same bit, "
            "`BITCOUNT` counts the users, and `BITOP AND` (or OR, XOR) combines days.",
            f"Each day here is {checks.DAY_VISITS} visits by users drawn from {USERS:,}, the same two "
            f"days the check below records: {counts[0]} and {counts[1]} distinct users, {on_both} of "
            "them active on both days.",
            f"A bitmap's size follows the highest id set, not the number of visits: {size:,} bytes "
            f"here, at most {USERS // 8:,} for {USERS:,} ids. That is the catch: ids must be dense "
            "integers, because one `SETBIT` at offset 4,000,000,000 allocates a 500 MB string.",
        ),
        figures=(
            DataTable("daily active users", ("bitmap", "visits", "BITCOUNT", "bytes (STRLEN)"), rows),
            command_table(ctx, commands_since(ctx, start)),
        ),
        checks=(checks.bitmap_counts.run(ctx, st),),
    )


def encodings(ctx: DrillContext) -> StepOutcome:
    def put(name: str, value: str) -> str:
        key = ctx.key("str", "enc", name)
        ctx.r.set(key, value)
        return key

    counter = ctx.key("str", "enc", "counter")
    ctx.r.incrby(counter, 41)
    appended = put("appended", "ab")
    ctx.r.append(appended, "c")
    bitmap = ctx.key("str", "enc", "bitmap")
    ctx.r.setbit(bitmap, 7, 1)
    cases = (
        EncodingCase('"12345" (SET)', put("number", "12345"), 5),
        EncodingCase("a counter after INCRBY", counter, 2),
        EncodingCase('"007" (not canonical)', put("padded", "007"), 3),
        EncodingCase(f"{EMBSTR_LIMIT}-byte text", put("short", "x" * EMBSTR_LIMIT), EMBSTR_LIMIT),
        EncodingCase(
            f"{EMBSTR_LIMIT + 1}-byte text", put("long", "x" * (EMBSTR_LIMIT + 1)), EMBSTR_LIMIT + 1
        ),
        EncodingCase('"ab" + APPEND "c"', appended, 3, changed_in_place=True),
        EncodingCase("bitmap after SETBIT", bitmap, 1, changed_in_place=True),
    )
    table, encoding_checks = encoding_table(ctx, "strings", cases)
    return StepOutcome(
        narration=(
            "Redis keeps a string in one of three encodings. `int`: the value is a canonical 64-bit "
            f"integer, stored in the object itself. `embstr`: up to {EMBSTR_LIMIT} bytes, stored in the "
            "same allocation as the object (one malloc, read-only). `raw`: anything longer, or any "
            "string changed in place (`APPEND`, `SETRANGE`, `SETBIT`, `BITFIELD`), in its own buffer."
            + _key_embedding(ctx, cases[3].key),
            "The encoding never changes what commands return; it changes memory and speed. "
            + encoding_source_note(ctx),
        ),
        figures=(table,),
        checks=encoding_checks,
    )


def _key_embedding(ctx: DrillContext, key: str) -> str:
    """Valkey 8's extra rule, with what it means for this run's key names (empty on Redis)."""
    limits = limits_for(ctx.backend.release)
    if limits.embstr_with_key is None:
        return ""
    room = max(v for v in range(-1, EMBSTR_LIMIT + 1) if v < 0 or embstr_fits(limits, v, len(key)))
    fits = f"values of up to {room} bytes stay `embstr`" if room >= 0 else "no value stays `embstr`"
    return (
        f" {ctx.backend.release.name} also keeps the key in that allocation, which must fit in 64 "
        "bytes: 16 for the object, the key plus 3, the value plus 4 (a TTL added later needs 8 more). "
        f"This run's keys are {len(key)} bytes long, so {fits} here."
    )


STEPS = (
    Step("Values and counters", values_and_counters),
    Step("SET NX EX: claim once, expire on its own", claim_once),
    Step("Bitmaps: one bit per user", bitmaps),
    Step("Encodings: int, embstr, raw", encodings),
)
