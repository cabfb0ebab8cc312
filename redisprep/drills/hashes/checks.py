"""Checks of the hashes drill; each runs against any implementation of the hashes interface."""

from __future__ import annotations

from typing import Any

from redisprep.drills.check_helpers import Verdict, check, in_lockstep, verdict
from redisprep.drills.context import DrillContext

WORKERS = 8
ROUNDS = 20


@check("hashes.field_updates", "concurrent updates to different fields are all kept")
def field_updates(ctx: DrillContext, impl: Any) -> Verdict:
    """8 writers each change their own field of one object at the same moment; all 8 must stick."""
    key = ctx.key("hash", "profile", "42")
    ctx.r.delete(key)
    impl.save(ctx.r, key, {"name": "Ada", "plan": "free"})
    fields = [f"pref{i}" for i in range(WORKERS)]
    in_lockstep(ctx, WORKERS, lambda i, client: impl.set_field(client, key, fields[i], f"on-{i}"))
    obj = impl.load(ctx.r, key)
    kept = sum(1 for i, f in enumerate(fields) if obj.get(f) == f"on-{i}")
    untouched = obj.get("name") == "Ada" and obj.get("plan") == "free"
    ok = kept == WORKERS and untouched
    return verdict(
        ok,
        f"{kept} of {WORKERS} field updates kept; other fields {'intact' if untouched else 'LOST'}",
        pitfall="storing the object as one JSON string means read-modify-write of the whole object: "
        "writers to different fields overwrite each other; HSET changes one field in place",
        kept=kept,
        expected=WORKERS,
    )


@check("hashes.counter_field", "concurrent HINCRBY on one field loses nothing")
def counter_field(ctx: DrillContext, impl: Any) -> Verdict:
    """8 writers add 1 to a cart line ROUNDS times each, in lockstep."""
    key = ctx.key("hash", "cart", "7")
    ctx.r.delete(key)
    impl.save(ctx.r, key, {"sku-1": "0"})

    def writer(_i: int, client: Any) -> None:
        for _ in range(ROUNDS):
            impl.add_to_field(client, key, "sku-1", 1)

    in_lockstep(ctx, WORKERS, writer)
    final = int(impl.load(ctx.r, key).get("sku-1", 0))
    want = WORKERS * ROUNDS
    return verdict(
        final == want,
        f"quantity {final} of {want}; {want - final} lost",
        pitfall="read the field, add, write it back loses concurrent increments; use HINCRBY",
        final=final,
        expected=want,
    )


@check("hashes.field_expiry", "an expired field disappears, the rest of the hash stays")
def field_expiry(ctx: DrillContext, impl: Any) -> Verdict:
    """HEXPIRE sets a TTL on one field; when it passes, only that field goes (Redis 7.4+ only)."""
    key = ctx.key("hash", "session", "check")
    impl.save(ctx.r, key, {"user": "42", "otp": "913755"})
    set_ok = impl.expire_field(ctx.r, key, "otp", 300)
    ttl = [int(t) for t in ctx.r.execute_command("HTTL", key, "FIELDS", 2, "otp", "user")]
    # An expiry time in the past deletes the field at once (reply 2): the TTL running out, no sleep.
    ctx.r.execute_command("HPEXPIREAT", key, 1, "FIELDS", 1, "otp")
    left = impl.load(ctx.r, key)
    ok = set_ok and 0 < ttl[0] <= 300 and ttl[1] == -1 and left == {"user": "42"}
    return verdict(
        ok,
        f"otp TTL {ttl[0]} s, user TTL {ttl[1]}; after otp expired the hash holds {sorted(left)}",
        pitfall="a per-field TTL needs HEXPIRE (7.4+); EXPIRE would drop the whole hash",
    )


# field_expiry is not listed: it needs Redis 7.4+, so the drill runs it only where HEXPIRE exists.
CHECKS = (field_updates, counter_field)
