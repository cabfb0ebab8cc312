"""The narrated steps of the geo drill."""

from __future__ import annotations

from redisprep import geohash
from redisprep.drills._geo import EMBEDDED_NOTE, member_score
from redisprep.drills.check_helpers import variant
from redisprep.drills.context import DrillContext
from redisprep.drills.geo import checks
from redisprep.drills.model import DataTable, Step, StepOutcome

#: The standard geohash (latitude over +-90) taken for the score.
STANDARD_BITS = variant(geohash, encode=geohash.naive_encode)
CITIES = tuple((name, lon, lat) for name, lon, lat, _, _ in checks.KNOWN[:4])


def _key(ctx: DrillContext) -> str:
    return ctx.key("geo", "{cities}")


def sorted_set(ctx: DrillContext) -> StepOutcome:
    key = _key(ctx)
    args: list[object] = []
    for name, lon, lat in CITIES:
        args += [lon, lat, name]
    with ctx.tracer.operation("add places (GEOADD)"):
        ctx.r.execute_command("GEOADD", key, *args)
    with ctx.tracer.operation("type of the key (TYPE)"):
        kind = ctx.r.type(key)
    if ctx.backend.is_simulated:
        encoding = (
            "listpack (modelled: fakeredis has no OBJECT; Redis 7.0 keeps up to 128 members of up "
            "to 64 bytes in one)"
        )
    else:
        with ctx.tracer.operation("encoding (OBJECT ENCODING)"):
            encoding = f"{ctx.r.object('encoding', key)} (read with OBJECT ENCODING)"
    order = list(ctx.r.execute_command("ZRANGE", key, 0, -1))
    return StepOutcome(
        narration=(
            "`GEOADD` does not create a new type: `TYPE` says `zset`, and every sorted-set command "
            "works on the key. `ZRANGE` lists the places in score order, `ZCARD` counts them and "
            "`ZREM` deletes one (there is no `GEODEL`).",
            "Small geo sets use the compact listpack encoding like any small sorted set; past 128 "
            "members (or a member longer than 64 bytes) Redis converts the key to a skiplist plus a "
            "hash table.",
        ),
        figures=(
            DataTable(
                "one geo key",
                ("question", "answer"),
                (
                    ("TYPE", kind),
                    ("encoding", encoding),
                    ("ZRANGE 0 -1 (score order)", ", ".join(order)),
                ),
            ),
        ),
    )


def the_score(ctx: DrillContext) -> StepOutcome:
    key = _key(ctx)
    rows = []
    scores = []
    for name, lon, lat in CITIES:
        with ctx.tracer.operation("read a score (ZSCORE)"):
            score = member_score(ctx.r, key, name, lon, lat)
        scores.append(score)
        back = geohash.decode(score.value)
        rows.append(
            (
                name,
                score.value,
                f"{back[0]:.6f}, {back[1]:.6f}",
                round(geohash.distance_m((lon, lat), back), 3),
            )
        )
    bits = f"{scores[0].value:052b}"
    pairs = " ".join(bits[i : i + 2] for i in range(0, 12, 2))
    narration = [
        "The score packs a position into 52 bits. Longitude (-180..180) and latitude "
        "(-85.05112878..85.05112878, the Web-Mercator limit) are each cut into 2^26 equal steps; the "
        "two 26-bit numbers are interleaved, longitude bit first. The result is below 2^53, so a "
        "double (the score's type) holds it exactly.",
        f"{CITIES[0][0]}'s score begins {pairs} ...: each pair halves the map once more, first "
        "east or west, then north or south. Places close together share leading bits, so they sit "
        "close together in the sorted set; that is what makes a range of scores a map cell.",
        "Decoding gives the centre of a cell about 0.6 m wide and 0.3 m tall at the equator, so a "
        "stored position is within about 0.3 m of the input; `GEOPOS` returns that centre.",
    ]
    if not scores[0].read:
        narration.append(EMBEDDED_NOTE)
    return StepOutcome(
        narration=tuple(narration),
        figures=(
            DataTable(
                "score -> position",
                ("member", f"score ({scores[0].source})", "decoded lon, lat", "m from input"),
                tuple(rows),
            ),
        ),
        checks=(checks.score.run(ctx, geohash),),
    )


def strings(ctx: DrillContext) -> StepOutcome:
    key = _key(ctx)
    with ctx.tracer.operation("geohash strings (GEOHASH)"):
        replies = ctx.r.geohash(key, *(c[0] for c in CITIES))
    rows = []
    for (name, lon, lat), reply in zip(CITIES, replies, strict=True):
        value = member_score(ctx.r, key, name, lon, lat).value
        rows.append((name, reply, geohash.geohash_string(value), geohash.base32(value)))
    naive = checks.score.run(ctx, STANDARD_BITS).expecting_failure()
    embedded = (
        (
            "On the embedded backend `GEOHASH` is fakeredis's own string, computed from the input "
            "rather than from the stored cell, so its last characters can differ from Redis's by a "
            "cell; the check accepts that within 1.5 m and wants exact equality on Redis.",
        )
        if ctx.backend.is_simulated
        else ()
    )
    return StepOutcome(
        narration=(
            "`GEOHASH` returns the standard 11-character geohash, the one other systems understand. "
            "It is not the score printed in base32: standard geohashes span latitude -90..90, so "
            "Redis decodes the score and re-encodes the centre with that range. 52 bits make 10 "
            "characters and 2 bits; the 11th character is always `0`.",
            "Taking the standard geohash's bits as the score puts every place at the wrong latitude "
            "(the check below catches it). A common prefix means a common cell, but not the "
            "converse: two places a few centimetres apart across a cell border can share no prefix "
            "at all. Searching, and that trap, are in `redisprep drill proximity`.",
            *embedded,
        ),
        figures=(
            DataTable(
                "GEOHASH vs the score's bits",
                ("member", "GEOHASH", "computed from score", "score's own bits"),
                tuple(rows),
            ),
        ),
        checks=(naive, checks.geohash_string.run(ctx, geohash)),
    )


STEPS = (
    Step("A geo set is a sorted set", sorted_set),
    Step("The score: 52 interleaved bits", the_score),
    Step("GEOHASH strings are not the score", strings),
)
