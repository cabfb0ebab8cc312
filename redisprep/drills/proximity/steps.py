"""The narrated steps of the proximity drill."""

from __future__ import annotations

from redisprep import geohash
from redisprep.drills._geo import EMBEDDED_NOTE, member_score
from redisprep.drills.check_helpers import variant
from redisprep.drills.context import DrillContext
from redisprep.drills.model import DataTable, Step, StepOutcome
from redisprep.drills.proximity import checks
from redisprep.drills.proximity import reference as prox
from redisprep.drills.proximity.checks import CENTRE, RADIUS_M
from redisprep.features import FEATURES, skip_line

LAT_FIRST = variant(prox, add_places=prox.naive_add_places)
COUNT_ANY_NEAREST = variant(prox, nearest=prox.naive_nearest)
PREFIX_GRID = variant(prox, add_places=prox.naive_grid_add_places, nearby=prox.naive_grid_nearby)


def _index(ctx: DrillContext) -> str:
    return ctx.key("geo", "{rome}", "places")


def index(ctx: DrillContext) -> StepOutcome:
    key = _index(ctx)
    places = checks.seeded_places(ctx.fork_rng("index"), checks.POINTS)
    with ctx.tracer.operation(f"add {len(places):,} places (GEOADD)"):
        prox.add_places(ctx.r, key, places)
    member, lon, lat = places[0]
    score = member_score(ctx.r, key, member, lon, lat)
    stored = ctx.r.geopos(key, member)[0]
    decoded = geohash.decode(score.value)
    narration = [
        f"{len(places):,} places, seeded around central Rome, go in with one `GEOADD key lon lat "
        "member ...`: longitude first, O(log N) per place, one round trip for the batch.",
        "There is no geo type: `TYPE` says `zset`. Each member's score is a 52-bit geohash of its "
        "position (26 bits per axis, interleaved), so a geo set is a sorted set whose order groups "
        "nearby places, and `ZREM` removes a place. How the bits are laid out, and why `GEOHASH` "
        "strings differ from the scores: `redisprep drill geo`.",
    ]
    if not score.read:
        narration.append(EMBEDDED_NOTE)
    return StepOutcome(
        narration=tuple(narration),
        figures=(
            DataTable(
                "index",
                ("key", "TYPE", "ZCARD"),
                ((key[len(ctx.ns.prefix) :], ctx.r.type(key), ctx.r.zcard(key)),),
            ),
            DataTable(
                f"{member}: the score decodes to the position",
                ("input lon, lat", f"score ({score.source})", "decoded lon, lat", "GEOPOS lon, lat"),
                (
                    (
                        f"{lon:.6f}, {lat:.6f}",
                        score.value,
                        f"{decoded[0]:.6f}, {decoded[1]:.6f}",
                        f"{float(stored[0]):.6f}, {float(stored[1]):.6f}",
                    ),
                ),
            ),
        ),
    )


def lon_lat_order(ctx: DrillContext) -> StepOutcome:
    import redis

    key = ctx.key("geo", "{order}")
    try:
        prox.naive_add_places(ctx.r, key, [("san-francisco", -122.4194, 37.7749)])
        refused = "accepted"
    except redis.ResponseError as exc:
        refused = str(exc)
    prox.naive_add_places(ctx.r, key, [("rome", 12.4964, 41.9028)])
    pos = ctx.r.geopos(key, "rome")[0]
    off_km = geohash.distance_m((12.4964, 41.9028), (float(pos[0]), float(pos[1]))) / 1000
    found = prox.nearby(ctx.r, key, 12.4964, 41.9028, 10_000)
    naive = checks.positions.run(ctx, LAT_FIRST).expecting_failure()
    return StepOutcome(
        narration=(
            "Most APIs say (latitude, longitude); Redis's geo commands take longitude first. San "
            f"Francisco given as (37.7749, -122.4194) is refused: `{refused}`, because -122 is not a "
            "valid latitude.",
            f"Rome given as (41.9028, 12.4964) is accepted without a word: both numbers are valid "
            f"either way. It is stored at {float(pos[0]):.4f}, {float(pos[1]):.4f}, "
            f"{off_km:,.0f} km away (near the southern end of the Red Sea), and a 10 km search "
            f"around Rome finds {len(found)} places. Comparing `GEOPOS` with the input after "
            "writing catches it.",
        ),
        checks=(naive, checks.positions.run(ctx, prox)),
    )


def radius_search(ctx: DrillContext) -> StepOutcome:
    key = _index(ctx)
    lon, lat = CENTRE
    with ctx.tracer.operation("search by radius (GEOSEARCH)"):
        hits = prox.nearby(ctx.r, key, lon, lat, RADIUS_M)
    with ctx.tracer.operation("5 nearest (GEOSEARCH COUNT)"):
        prox.nearest(ctx.r, key, lon, lat, RADIUS_M, 5)
    places = {
        m: (p_lon, p_lat) for m, p_lon, p_lat in checks.seeded_places(ctx.fork_rng("index"), checks.POINTS)
    }
    rows = []
    for member, dist in hits[:8]:
        brute = geohash.distance_m((lon, lat), places[member])
        rows.append((member, round(dist, 3), round(brute, 3), round(abs(dist - brute), 3)))
    naive = checks.k_nearest.run(ctx, COUNT_ANY_NEAREST).expecting_failure()
    return StepOutcome(
        narration=(
            f"`GEOSEARCH key FROMLONLAT lon lat BYRADIUS {RADIUS_M:.0f} m ASC WITHDIST` found "
            f"{len(hits)} places. The server picks a geohash precision whose cells are about as "
            "large as the radius, reads the centre cell and its 8 neighbours as score ranges of the "
            "sorted set, then keeps the members whose haversine distance is within the radius: "
            "O(N + log M), N being the members of those 9 cells.",
            "Distances are measured between the stored (quantised) positions, so they differ from "
            "an exact computation by centimetres; fakeredis, which quantises differently, differs by "
            "a few more. Compare with a tolerance, never exactly.",
            "`COUNT 5` still collects every match in the cells, but sorts only partially (the 5 "
            "nearest are picked, the rest are left unsorted). Adding `ANY` "
            "stops at the first 5 matches found, in cell order, not distance order: fine for "
            '"any driver nearby", wrong for "the nearest driver".',
        ),
        figures=(
            DataTable("nearest hits", ("member", "GEOSEARCH m", "haversine m", "difference m"), tuple(rows)),
        ),
        checks=(naive, checks.k_nearest.run(ctx, prox)),
    )


def cell_borders(ctx: DrillContext) -> StepOutcome:
    key = ctx.key("geo", "{origin}")
    pair = [("north-east", 0.0000005, 0.0000005), ("south-west", -0.0000005, -0.0000005)]
    prox.naive_grid_add_places(ctx.r, key, pair)
    hashes = ctx.r.geohash(key, *(m for m, _, _ in pair))
    scores = [member_score(ctx.r, key, m, lon, lat) for m, lon, lat in pair]
    gap = geohash.distance_m(pair[0][1:], pair[1][1:])
    by_prefix = prox.naive_grid_nearby(ctx.r, key, 0.0, 0.0, 10)
    by_search = prox.nearby(ctx.r, key, 0.0, 0.0, 10)
    naive = checks.radius_recall.run(ctx, PREFIX_GRID).expecting_failure()
    good = checks.radius_recall.run(ctx, prox)
    recall_rows = tuple(
        (
            label,
            r.measured["queries"],
            r.measured["expected"],
            r.measured["found"],
            f"{r.measured['recall']}%",
            r.measured["max_diff_m"],
        )
        for label, r in (("same-prefix cell only", naive), ("GEOSEARCH BYRADIUS", good))
    )
    return StepOutcome(
        narration=(
            f"Two cafés {gap * 100:.0f} cm apart on either side of (0, 0). Their geohashes share no "
            f"prefix ({hashes[0]} and {hashes[1]}), and their scores ({scores[0].value} and "
            f"{scores[1].value}, {scores[0].source}) are far apart in the sorted set: the bit "
            "interleaving puts the two halves of the world at opposite ends.",
            f"A hand-made grid that looks only in the cell sharing the centre's geohash prefix finds "
            f"{len(by_prefix)} of them within 10 m; `GEOSEARCH` finds {len(by_search)}, because it "
            "also scans the 8 neighbouring cells. Near any cell border, not only at (0, 0), the "
            "single-cell search loses neighbours.",
            f"The recall check runs {checks.POINTS:,} seeded places and 12 queries, half centred "
            "exactly on geohash cell borders, against a brute-force haversine scan; distances are "
            f"compared with a {checks.TOLERANCE_M:g} m tolerance because each backend quantises "
            "positions differently.",
        ),
        figures=(
            DataTable(
                "recall against brute force",
                ("search", "queries", "within radius", "found", "recall", "max |Δd| m"),
                recall_rows,
            ),
        ),
        checks=(naive, good),
    )


def radius_or_box(ctx: DrillContext) -> StepOutcome:
    key = ctx.key("geo", "{box}")
    prox.add_places(ctx.r, key, [("origin", 0.0, 0.0), ("corner", 0.0089, 0.0089)])
    circle = prox.nearby(ctx.r, key, 0.0, 0.0, 1_000)
    has_box = ctx.backend.supports("geosearch-bybox")
    rows = [("BYRADIUS 1000 m", ", ".join(m for m, _ in circle))]
    if has_box:
        with ctx.tracer.operation("box search (GEOSEARCH BYBOX)"):
            box = prox.in_box(ctx.r, key, 0.0, 0.0, 2_000, 2_000)
        rows.append(("BYBOX 2000 2000 m", ", ".join(m for m, _ in box)))
        how = "`GEOSEARCH ... BYBOX 2000 2000 m` on the server"
    else:
        how = (
            skip_line(FEATURES["geosearch-bybox"], ctx.backend.label) + ", so the box is computed client-side"
        )
    with ctx.tracer.operation("box search (BYRADIUS + filter in app)"):
        filtered = prox.box_filter(ctx.r, key, 0.0, 0.0, 2_000, 2_000)
    rows.append(("box 2 x 2 km, client-side", ", ".join(m for m, _ in filtered)))
    if has_box:
        same = sorted(m for m, _ in box) == sorted(m for m, _ in filtered)
        how += "; the client-side filter " + ("agrees" if same else "DISAGREES")
    corner_m = geohash.distance_m((0.0, 0.0), (0.0089, 0.0089))
    return StepOutcome(
        narration=(
            f"A place {corner_m:,.0f} m away on the diagonal is outside a 1 km circle but inside a "
            '2 x 2 km box around the same centre: a map viewport is a box, "within 1 km" is a '
            "circle, and a box of 2r x 2r reaches r times the square root of 2 at its corners.",
            f"Box search here: {how}. The client-side version asks for the circle through the "
            "box's corners (`BYRADIUS` of half the diagonal, `WITHCOORD`) and keeps the hits whose "
            "north-south and east-west distances fit in the box, the rule Redis applies.",
        ),
        figures=(DataTable("radius vs box around (0, 0)", ("search", "hits"), tuple(rows)),),
    )


def round_trips(ctx: DrillContext) -> StepOutcome:
    return StepOutcome(
        narration=(
            "Indexing a batch is one `GEOADD`, and each search one `GEOSEARCH`: one round trip per "
            "operation. Moving a driver is the same `GEOADD` with new coordinates; drivers that "
            "stop reporting need a companion sorted set of last-seen times and a sweep that `ZREM`s "
            "them from both.",
        ),
        checks=(checks.one_round_trip.run(ctx, prox),),
    )


STEPS = (
    Step("Index places with GEOADD", index),
    Step("Longitude first", lon_lat_order),
    Step("Search by radius, nearest first", radius_search),
    Step("Geohash cells and the border pitfall", cell_borders),
    Step("Radius or box", radius_or_box),
    Step("One round trip per operation", round_trips),
)
