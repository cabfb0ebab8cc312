"""The narrated steps of the sets drill."""

from __future__ import annotations

from importlib.metadata import version

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
from redisprep.drills.sets import checks
from redisprep.drills.sets import reference as ss
from redisprep.features import FEATURES, skip_line

NAIVE = variant(ss, add=ss.naive_add, size=ss.naive_size)


def membership(ctx: DrillContext) -> StepOutcome:
    start = mark(ctx)
    tags = ctx.key("set", "post", "7", "tags")
    with ctx.tracer.operation("add members (SADD)"):
        added = ss.add(ctx.r, tags, ["redis", "databases", "caching"])
    with ctx.tracer.operation("add members (SADD)"):
        again = ss.add(ctx.r, tags, ["redis", "performance"])
    with ctx.tracer.operation("is it a member? (SISMEMBER)"):
        ctx.r.sismember(tags, "redis")
    with ctx.tracer.operation("several at once (SMISMEMBER)"):
        answers = ss.contains(ctx.r, tags, ["redis", "python"])
    with ctx.tracer.operation("how many (SCARD)"):
        total = ss.size(ctx.r, tags)
    naive = checks.unique_members.run(ctx, NAIVE).expecting_failure()
    return StepOutcome(
        narration=(
            "A set holds distinct strings with no order. Adding, removing and testing a member are "
            'O(1), and `SCARD` is O(1) because the size is stored. Uses: tags, "who liked this", '
            '"which ids did we already process", unique visitors (exactly; see the hyperloglog '
            "drill for the approximate, constant-memory way).",
            f'The first `SADD` added {added} tags; the second added {again}, because "redis" was '
            f"already there. `SMISMEMBER` answered {'yes' if answers[0] else 'no'} for redis and "
            f"{'yes' if answers[1] else 'no'} for python in one round trip; "
            f"the set has {total} members. A list used as a set keeps duplicates (first check below).",
        ),
        figures=(command_table(ctx, commands_since(ctx, start)),),
        checks=(naive, checks.unique_members.run(ctx, ss), checks.membership.run(ctx, ss)),
    )


def algebra(ctx: DrillContext) -> StepOutcome:
    start = mark(ctx)
    ana, ben = (ctx.key("set", "{follows}", who) for who in ("ana", "ben"))
    follows = checks.follow_pair(ctx)  # the check's accounts: the table and the check agree
    with ctx.tracer.paused():
        ss.add(ctx.r, ana, follows[0])
        ss.add(ctx.r, ben, follows[1])
    with ctx.tracer.operation("in common (SINTER)"):
        both = ss.common(ctx.r, [ana, ben])
    with ctx.tracer.operation("follows ana, not ben (SDIFF)"):
        only_ana = ctx.r.sdiff([ana, ben])
    with ctx.tracer.operation("either (SUNION)"):
        either = ctx.r.sunion([ana, ben])
    rows = (
        ("ana follows", len(follows[0])),
        ("ben follows", len(follows[1])),
        ("both (SINTER)", len(both)),
        ("ana only (SDIFF)", len(only_ana)),
        ("either (SUNION)", len(either)),
    )
    return StepOutcome(
        narration=(
            "Set algebra runs in the server: `SINTER`, `SUNION` and `SDIFF` (and their `STORE` forms "
            'that write the result to a key). "People you both follow" is an intersection. Its '
            "cost depends on the smallest set and the number of sets, so intersect small with big.",
            f"ana and ben each follow {checks.FOLLOWS} of {checks.ACCOUNT_COUNT:,} accounts, the same ones "
            f"the check below intersects, and have {len(both)} in common.",
        ),
        figures=(
            DataTable("follows", ("set", "members"), rows),
            command_table(ctx, commands_since(ctx, start)),
        ),
        checks=(checks.intersections.run(ctx, ss),),
    )


def counting(ctx: DrillContext) -> StepOutcome:
    feature = checks.intersection_counts.feature or ""
    if not ctx.backend.supports(feature):
        return StepOutcome(narration=(), skipped=skip_line(FEATURES[feature], ctx.backend.label))
    start = mark(ctx)
    ana, ben = (ctx.key("set", "{count}", who) for who in ("ana", "ben"))
    follows = checks.follow_pair(ctx)
    with ctx.tracer.paused():
        ss.add(ctx.r, ana, follows[0])
        ss.add(ctx.r, ben, follows[1])
    with ctx.tracer.operation("how many in common (SINTERCARD)"):
        count = ss.common_count(ctx.r, [ana, ben])
    with ctx.tracer.operation(f"at least {checks.LIMIT} in common? (SINTERCARD LIMIT)"):
        capped = ss.common_count(ctx.r, [ana, ben], limit=checks.LIMIT)
    differs = _missing_key_first_refused(ctx, ana)
    rows = (("both (SINTERCARD)", count), (f"SINTERCARD ... LIMIT {checks.LIMIT}", capped))
    return StepOutcome(
        narration=(
            "When only the number matters, `SINTERCARD` (Redis 7.0) returns it without sending the "
            f'members, and `LIMIT` stops counting early: "do they share at least {checks.LIMIT}?" '
            f"needs {checks.LIMIT} matches, not all {count} of them.",
            "A missing key counts as an empty set, so `SINTERCARD` with one returns 0 on Redis."
            + (
                f" This server (fakeredis {_fakeredis_version()}) answers WRONGTYPE instead when the "
                "missing key comes first, which Redis never does; the reference maps that to "
                "Redis's answer."
                if differs
                else ""
            ),
        ),
        figures=(
            DataTable("counted in the server", ("count", "value"), rows),
            command_table(ctx, commands_since(ctx, start)),
        ),
        checks=(checks.intersection_counts.run(ctx, ss),),
    )


def encodings(ctx: DrillContext) -> StepOutcome:
    limits = limits_of(ctx)
    ints = limits.set_max_intset_entries

    def build(name: str, members: list[str]) -> str:
        key = ctx.key("set", "enc", name)
        with ctx.tracer.paused():
            ctx.r.sadd(key, *members)
        return key

    numbers = [str(n) for n in range(ints + 1)]
    cases = (
        EncodingCase(f"{ints} integers", build("ints", numbers[:ints]), ints),
        EncodingCase(f"{ints + 1} integers", build("ints-over", numbers), ints + 1),
        EncodingCase("10 integers and one word", build("mixed", [*numbers[:10], "ten"]), 11),
        EncodingCase("3 short strings", build("words", ["redis", "sets", "tags"]), 3),
        EncodingCase("200 short strings", build("many-words", [f"tag-{n}" for n in range(200)]), 200),
    )
    table, encoding_checks = encoding_table(ctx, "sets", cases)
    return StepOutcome(
        narration=(
            f"A set of integers only is an intset: a sorted array of integers, searched by binary "
            f"search, at most {ints} of them (`set-max-intset-entries`). One non-integer member or "
            f"one integer too many converts it to a hashtable.",
            "On Redis 7.0 every set of strings is a hashtable, even a tiny one. Redis 7.2 added a "
            "listpack encoding for small string sets (up to 128 members of up to 64 bytes). "
            + encoding_source_note(ctx),
        ),
        figures=(table,),
        checks=encoding_checks,
    )


STEPS = (
    Step("Membership: SADD, SMISMEMBER, SCARD", membership),
    Step("Set algebra: SINTER, SDIFF, SUNION", algebra),
    Step("Counting an intersection: SINTERCARD", counting),
    Step("Encodings: intset, then hashtable", encodings),
)


def _missing_key_first_refused(ctx: DrillContext, present: str) -> bool:
    """Whether this server answers SINTERCARD with a missing first key by WRONGTYPE (fakeredis)."""
    import redis

    with ctx.tracer.paused():
        try:
            ctx.r.execute_command("SINTERCARD", 2, ctx.key("set", "{count}", "nobody"), present)
        except redis.ResponseError:
            return True
    return False


def _fakeredis_version() -> str:
    return version("fakeredis")
