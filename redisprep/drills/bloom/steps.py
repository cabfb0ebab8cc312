"""The narrated steps of the bloom drill."""

from __future__ import annotations

from redisprep.drills._structures import (
    EncodingCase,
    command_table,
    commands_since,
    encoding_source_note,
    encoding_table,
    mark,
)
from redisprep.drills.bloom import checks
from redisprep.drills.bloom import reference as bf
from redisprep.drills.bloom.checks import CAPACITY, ERROR_RATE, PROBES
from redisprep.drills.check_helpers import variant
from redisprep.drills.context import DrillContext
from redisprep.drills.model import CheckResult, DataTable, Step, StepOutcome, status_of

NAIVE = variant(bf, sizing=bf.naive_sizing)


def sizing(ctx: DrillContext) -> StepOutcome:
    rows = []
    for p in (0.1, 0.01, 0.001):
        spec = bf.sizing(CAPACITY, p)
        rows.append(
            (
                f"{p:g}",
                spec.bits,
                (spec.bits + 7) // 8,
                spec.hashes,
                f"{bf.theoretical_fp(spec, CAPACITY):.3%}",
            )
        )
    spec = bf.sizing(CAPACITY, ERROR_RATE)
    overfilled = bf.theoretical_fp(bf.sizing(CAPACITY // 10, ERROR_RATE), CAPACITY)
    return StepOutcome(
        narration=(
            'A Bloom filter answers "have I seen this?" in a fixed amount of memory: "no" is '
            'certain, "yes" means "probably". Adding an item sets k bits chosen by k hashes in '
            'an array of m bits; a query tests the same k bits. Uses: "is this username taken?" '
            'before a database lookup, "has this user seen this article?", skipping cache lookups '
            "for keys that cannot exist.",
            f"Sizing for n items at false-positive rate p: m = -n ln p / (ln 2)^2 bits and k = (m/n) "
            f"ln 2 hashes. For n = {CAPACITY:,} and p = {ERROR_RATE:g} that is m = {spec.bits:,} bits "
            f"({(spec.bits + 7) // 8:,} bytes) and k = {spec.hashes}, whatever the length of the items. "
            "Items cannot be removed (a bit may belong to several items).",
            f"Past its capacity a filter degrades fast: one sized for {CAPACITY // 10:,} items at "
            f'1% but holding {CAPACITY:,} would answer "probably" to {overfilled:.1%} of '
            "strangers (theory). Size for the real count, or let `BF.RESERVE` scale by stacking "
            "sub-filters.",
        ),
        figures=(
            DataTable(
                f"sizing for {CAPACITY:,} items",
                ("target p", "bits m", "bytes", "hashes k", "theoretical p when full"),
                tuple(rows),
            ),
        ),
    )


def core_filter(ctx: DrillContext) -> StepOutcome:
    start = mark(ctx)
    demo = ctx.key("bloom", "usernames")
    spec = bf.sizing(CAPACITY, ERROR_RATE)
    with ctx.tracer.operation("add one (BITFIELD SET u1 x k)"):
        bf.add(ctx.r, demo, spec, "ada")
    with ctx.tracer.operation("query one (BITFIELD GET u1 x k)"):
        bf.might_contain(ctx.r, demo, spec, "ada")
    table = command_table(ctx, commands_since(ctx, start))
    fn = checks.no_false_negatives.run(ctx, bf)
    naive = checks.false_positive_rate.run(ctx, NAIVE).expecting_failure()
    reference = checks.false_positive_rate.run(ctx, bf)
    hits = int(reference.measured["false_positives"] or 0)
    measured = hits / PROBES
    theory = bf.theoretical_fp(spec, CAPACITY)
    size = int(ctx.r.strlen(checks.fp_data(ctx)[0]))
    return StepOutcome(
        narration=(
            "This filter uses only core commands, so it runs on every Redis: the bit array is a "
            "string, and one `BITFIELD` command sets (`SET u1 offset 1`) or reads (`GET u1 "
            "offset`) the k bits of an item atomically, in one round trip. The client computes the "
            "k offsets (double hashing of one BLAKE2b digest), so any client in any language that "
            "hashes the same way can share the filter. `SETBIT`/`GETBIT` would work too, at k "
            "commands per item. In bulk, adds go as one `BITFIELD` per 250 items in one pipeline, "
            "and queries ask bit by bit, dropping an item at its first 0 bit: a never-added item "
            "is usually ruled out after one or two bits.",
            f"{CAPACITY:,} taken usernames went in; then {PROBES:,} names that were never added "
            f'were queried. {hits} came back "probably taken": a measured false-positive rate of '
            f"{measured:.2%}, against {theory:.2%} in theory for m = {spec.bits:,}, k = {spec.hashes}, "
            f"n = {CAPACITY:,}. The key holds {size:,} bytes (`STRLEN`).",
            "The naive filter below has the same bits but one hash function: a plain hashed bitmap.",
        ),
        figures=(
            DataTable(
                "core filter on bits",
                ("m bits", "k", "items", "probes", "false positives", "measured p", "theoretical p"),
                ((spec.bits, spec.hashes, CAPACITY, PROBES, hits, f"{measured:.2%}", f"{theory:.2%}"),),
            ),
            table,
        ),
        checks=(fn, naive, reference),
    )


def module_filter(ctx: DrillContext) -> StepOutcome:
    intro = (
        "RedisBloom's `BF.*` commands (Redis Stack, and built into Redis 8) do the same inside the "
        "server: `BF.RESERVE key error_rate capacity` sizes the filter, `BF.ADD`/`BF.MADD` add, "
        "`BF.EXISTS`/`BF.MEXISTS` query (documented as O(k)), and the filter can grow by stacking "
        "sub-filters when it fills up."
    )
    if not ctx.backend.has_command("bf.reserve"):
        return StepOutcome(
            narration=(
                intro,
                "This server has no `BF.RESERVE` (detected with `COMMAND INFO`; no RedisBloom module "
                "is loaded), so only the core filter runs here. It needs nothing but Redis itself.",
            ),
            skipped="this server has no BF.* commands (RedisBloom is not loaded)",
        )
    start = mark(ctx)
    key = ctx.key("bloom", "usernames-bf")
    core_key, taken, probes = checks.fp_data(ctx)
    with ctx.tracer.operation("reserve (BF.RESERVE)"):
        bf.bf_reserve(ctx.r, key, ERROR_RATE, CAPACITY)
    with ctx.tracer.operation(f"add {CAPACITY:,} (BF.MADD)"):
        bf.bf_add_many(ctx.r, key, taken)
    with ctx.tracer.operation(f"query {PROBES:,} (BF.MEXISTS)"):
        answers = bf.bf_might_contain_many(ctx.r, key, probes)
    found = bf.bf_might_contain_many(ctx.r, key, taken)
    hits = sum(answers)
    missed = CAPACITY - sum(found)
    spec = bf.sizing(CAPACITY, ERROR_RATE)
    if not ctx.r.exists(core_key):  # the core step's check built it; rebuild if run alone
        bf.add_many(ctx.r, core_key, spec, taken)
    core_hits = sum(bf.might_contain_many(ctx.r, core_key, spec, probes))
    bound = ERROR_RATE + checks.tolerance(ERROR_RATE, PROBES)
    result = CheckResult(
        id="bloom.module_filter",
        title="BF.* gives no false negatives and reports its false-positive rate",
        status=status_of(missed == 0),
        message=f"{CAPACITY - missed} of {CAPACITY} added found; {hits} of {PROBES} probes "
        f"({hits / PROBES:.2%}) reported present"
        + ("" if hits / PROBES <= bound else f", above the {bound:.2%} the core filter is held to"),
        measured={"measured_fp": round(hits / PROBES, 5), "false_negatives": missed},
    )
    embedded = (
        " On the embedded backend `BF.*` is fakeredis's implementation (built on the pyprobables "
        "library), not RedisBloom, so its rate says how that library sizes filters."
        if ctx.backend.is_simulated
        else ""
    )
    return StepOutcome(
        narration=(
            intro,
            f"This server has them. The same {CAPACITY:,} names and {PROBES:,} probes: `BF.*` "
            f"reported {hits} false positives ({hits / PROBES:.2%}), the core filter {core_hits} "
            f"({core_hits / PROBES:.2%}), both sized for {ERROR_RATE:.0%}.{embedded}",
        ),
        figures=(
            DataTable(
                "core filter vs BF.*",
                ("filter", "false positives", "measured p", "target p"),
                (
                    ("core (BITFIELD)", core_hits, f"{core_hits / PROBES:.2%}", f"{ERROR_RATE:.0%}"),
                    ("BF.* module", hits, f"{hits / PROBES:.2%}", f"{ERROR_RATE:.0%}"),
                ),
            ),
            command_table(ctx, commands_since(ctx, start)),
        ),
        checks=(result,),
    )


def encodings(ctx: DrillContext) -> StepOutcome:
    key = checks.fp_data(ctx)[0]
    size = int(ctx.r.strlen(key))
    table, encoding_checks = encoding_table(
        ctx, "bloom", (EncodingCase("core filter (bit array)", key, size, changed_in_place=True),)
    )
    return StepOutcome(
        narration=(
            "The core filter is an ordinary string: `raw`, because `BITFIELD` and `SETBIT` change "
            f"it in place. Its {size:,} bytes are fixed by m, whatever the number or length of the "
            "items: an exact set of the same usernames would grow with every name. It replicates, "
            "persists and expires like any string, and lives on one cluster slot.",
            encoding_source_note(ctx),
        ),
        figures=(table,),
        checks=encoding_checks,
    )


STEPS = (
    Step("What a Bloom filter answers, and how big it is", sizing),
    Step("A filter on core bit commands (runs everywhere)", core_filter),
    Step("The same with BF.* where the server has it", module_filter),
    Step("What it is stored as", encodings),
)
