"""The narrated steps of the hashes drill."""

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
from redisprep.drills.hashes import checks
from redisprep.drills.hashes import reference as hs
from redisprep.drills.model import DataTable, Step, StepOutcome

NAIVE = variant(
    hs,
    save=hs.naive_save,
    load=hs.naive_load,
    set_field=hs.naive_set_field,
    add_to_field=hs.naive_add_to_field,
)


def objects(ctx: DrillContext) -> StepOutcome:
    start = mark(ctx)
    user = ctx.key("hash", "user", "42")
    with ctx.tracer.operation("save object (HSET)"):
        hs.save(ctx.r, user, {"name": "Ada Lovelace", "email": "ada@example.com", "plan": "free"})
    with ctx.tracer.operation("read two fields (HMGET)"):
        name, plan = ctx.r.hmget(user, ["name", "plan"])
    with ctx.tracer.operation("change one field (HSET)"):
        hs.set_field(ctx.r, user, "plan", "pro")
    with ctx.tracer.operation("read object (HGETALL)"):
        obj = hs.load(ctx.r, user)
    naive = checks.field_updates.run(ctx, NAIVE).expecting_failure()
    reference = checks.field_updates.run(ctx, hs)
    return StepOutcome(
        narration=(
            "A hash maps field names to string values under one key: the natural shape for an "
            "object (a user, a session, a product). `HSET` writes any number of fields, `HGET`/"
            "`HMGET` read some of them, and `HGETALL` reads them all (O(N) in fields, so keep "
            "objects small or read only the fields you need).",
            f"{name}'s plan went from {plan} to {obj['plan']} with one `HSET` on one field: nothing "
            "else was read or rewritten. Kept as one JSON string instead, every change is GET, "
            "edit, SET of the whole object, and two writers changing different fields lose one "
            "of the changes.",
        ),
        figures=(
            DataTable("user:42", ("field", "value"), tuple(sorted(obj.items()))),
            command_table(ctx, commands_since(ctx, start)),
        ),
        checks=(naive, reference),
    )


def counters(ctx: DrillContext) -> StepOutcome:
    start = mark(ctx)
    cart = ctx.key("hash", "cart", "alice")
    for sku, qty in (("book", 1), ("pen", 3), ("book", 1)):
        with ctx.tracer.operation("add to cart (HINCRBY)"):
            hs.add_to_field(ctx.r, cart, sku, qty)
    with ctx.tracer.operation("remove a line (HDEL)"):
        ctx.r.hdel(cart, "pen")
    with ctx.tracer.operation("lines in cart (HLEN)"):
        lines = ctx.r.hlen(cart)
    naive = checks.counter_field.run(ctx, NAIVE).expecting_failure()
    reference = checks.counter_field.run(ctx, hs)
    return StepOutcome(
        narration=(
            "`HINCRBY key field n` is `INCRBY` for one field: the server adds atomically, and a "
            "missing field starts at 0. A shopping cart is a hash of sku to quantity; per-object "
            f"statistics (likes, views) are another. Alice's cart now has {lines} line(s).",
        ),
        figures=(command_table(ctx, commands_since(ctx, start)),),
        checks=(naive, reference),
    )


def field_expiry(ctx: DrillContext) -> StepOutcome:
    narration = [
        "Before Redis 7.4 only whole keys expire. A session hash whose one-time code must vanish "
        "after 5 minutes needed a separate string key for the code, or a cleanup job.",
    ]
    if not ctx.backend.has_command("hexpire"):
        return StepOutcome(
            narration=(
                *narration,
                "Redis 7.4 added per-field TTLs (`HEXPIRE`, `HTTL`, `HPERSIST`). This server does not "
                "know `HEXPIRE` (detected with `COMMAND INFO`), so keep expiring values in their own "
                "string keys with `SET ... EX`, next to the hash.",
            ),
            skipped=f"this server ({ctx.backend.release}) has no HEXPIRE (Redis 7.4+)",
        )
    start = mark(ctx)
    session = ctx.key("hash", "session", "s1")
    hs.save(ctx.r, session, {"user": "42", "otp": "913755"})
    with ctx.tracer.operation("expire one field (HEXPIRE)"):
        hs.expire_field(ctx.r, session, "otp", 300)
    with ctx.tracer.operation("field TTLs (HTTL)"):
        ttls = [int(t) for t in ctx.r.execute_command("HTTL", session, "FIELDS", 2, "otp", "user")]
    with ctx.tracer.operation("expire it now (HPEXPIREAT in the past)"):
        ctx.r.execute_command("HPEXPIREAT", session, 1, "FIELDS", 1, "otp")
    return StepOutcome(
        narration=(
            *narration,
            f"This server has `HEXPIRE` (Redis 7.4+; fakeredis implements it although it imitates "
            f"7.0): the otp field got a 300 s TTL (`HTTL` replies {ttls}: -1 means "
            "no TTL). Setting its expiry in the past removed it at once, and the user field stayed.",
        ),
        figures=(command_table(ctx, commands_since(ctx, start)),),
        checks=(checks.field_expiry.run(ctx, hs),),
    )


def encodings(ctx: DrillContext) -> StepOutcome:
    limits = limits_of(ctx)
    entries, value = limits.hash_max_listpack_entries, limits.hash_max_listpack_value

    def build(name: str, count: int, value_len: int = 5) -> str:
        key = ctx.key("hash", "enc", name)
        with ctx.tracer.paused():
            ctx.r.hset(key, mapping={f"f{i}": "v" * value_len for i in range(count)})
        return key

    cases = (
        EncodingCase("3 short fields", build("small", 3), 3),
        EncodingCase(f"{entries} fields", build("at-limit", entries), entries),
        EncodingCase(f"{entries + 1} fields", build("over-limit", entries + 1), entries + 1),
        EncodingCase(f"3 fields, one value of {value + 1} bytes", build("long", 3, value + 1), 3),
    )
    table, encoding_checks = encoding_table(ctx, "hashes", cases)
    source = "this server's configuration" if limits.read_from_server else "Redis 7.0's defaults"
    return StepOutcome(
        narration=(
            f"A small hash is a listpack: fields and values packed one after another in a single "
            f"allocation, searched linearly. It stays one while it has at most {entries} fields "
            f"(`hash-max-listpack-entries`) and no field or value is longer than {value} bytes "
            f"(`hash-max-listpack-value`; figures from {source}). Past either limit it converts to "
            "a real hashtable, O(1) per field but several times the memory.",
            "The conversion is one-way: deleting fields does not turn a hashtable back into a "
            "listpack. Compact small hashes are why one hash per object costs far less memory "
            "than one string key per field. " + encoding_source_note(ctx),
        ),
        figures=(table,),
        checks=encoding_checks,
    )


STEPS = (
    Step("Objects with field-level updates", objects),
    Step("Counters inside an object: HINCRBY", counters),
    Step("Field expiry (HEXPIRE, Redis 7.4+)", field_expiry),
    Step("Encodings: listpack, then hashtable", encodings),
)
