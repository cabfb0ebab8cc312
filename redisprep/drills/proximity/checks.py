"""Checks of the proximity drill; each runs against any implementation of the proximity interface."""

from __future__ import annotations

import functools
from typing import Any

from redisprep import geohash
from redisprep.drills.check_helpers import NO_KNOWN_PITFALL, Verdict, check, pairs, round_trips_of, verdict
from redisprep.drills.context import DrillContext
from redisprep.drills.proximity.checks_places import (
    BOX,
    CENTRE,
    CITIES,
    PALERMO_CATANIA_M,
    POINTS,
    RADIUS_M,
    TOLERANCE_M,
    Place,
    border_centres,
    compare,
    in_box,
    seeded_places,
)

#: The data the drill's steps, tests and benchmarks read from here (defined in checks_places).
__all__ = ["CENTRE", "CHECKS", "POINTS", "RADIUS_M", "TOLERANCE_M", "seeded_places"]


@check("proximity.positions", "stored positions match the input (longitude first)")
def positions(ctx: DrillContext, impl: Any) -> Verdict:
    """GEOPOS after ``add_places`` is within 1 m of the input; Palermo-Catania is 166.27 km (0.5%)."""
    key = ctx.key("geo", "{cities}")
    ctx.r.delete(key)
    impl.add_places(ctx.r, key, list(CITIES))
    stored = ctx.r.geopos(key, *(c[0] for c in CITIES))
    errors = {
        name: float("inf") if pos is None else geohash.distance_m((lon, lat), (float(pos[0]), float(pos[1])))
        for (name, lon, lat), pos in zip(CITIES, stored, strict=True)
    }
    worst = max(errors, key=lambda n: errors[n])
    span = ctx.r.geodist(key, "palermo", "catania")
    span_m = float(span) if span is not None else 0.0
    span_ok = abs(span_m - PALERMO_CATANIA_M) <= 0.005 * PALERMO_CATANIA_M
    ok = errors[worst] <= 1.0 and span_ok
    return verdict(
        ok,
        f"every city within {errors[worst]:.2f} m of its input; Palermo-Catania {span_m / 1000:.2f} km"
        if ok
        else f"{worst} is stored {errors[worst] / 1000:,.0f} km from its input; Palermo-Catania "
        f"{span_m / 1000:,.2f} km (want 166.27)",
        pitfall="latitude/longitude order: GEOADD takes longitude first, then latitude; a swapped pair "
        "inside +-85 degrees is accepted silently at the wrong place",
        worst_error_m=round(errors[worst], 3),
        palermo_catania_m=round(span_m, 2),
    )


@check("proximity.radius_recall", "radius search finds every place within the radius")
def radius_recall(ctx: DrillContext, impl: Any) -> Verdict:
    """1,200 seeded places; 12 queries, half centred on geohash cell borders; 100% recall required."""
    rng = ctx.fork_rng("recall")
    key = ctx.key("geo", "{recall}")
    ctx.r.delete(key)
    places = seeded_places(rng, POINTS)
    impl.add_places(ctx.r, key, places)
    centres = border_centres(rng, 6) + [
        (CENTRE[0] + rng.uniform(-0.08, 0.08), CENTRE[1] + rng.uniform(-0.06, 0.06)) for _ in range(6)
    ]
    results = [compare(places, c, RADIUS_M, impl.nearby(ctx.r, key, c[0], c[1], RADIUS_M)) for c in centres]
    expected = sum(r.expected for r in results)
    found = sum(r.found for r in results)
    extra = sum(r.extra for r in results)
    max_diff = max(r.max_diff_m for r in results)
    recall = 100.0 * found / expected if expected else 100.0
    ok = found == expected and extra == 0 and max_diff <= TOLERANCE_M
    return verdict(
        ok,
        f"{found} of {expected} places within {RADIUS_M:.0f} m found over {len(centres)} queries "
        f"({recall:.1f}% recall, want 100%), {extra} outside (want 0); distances within "
        f"{max_diff:.2f} m of brute force (want {TOLERANCE_M:.0f} m)",
        pitfall=None
        if ok
        else search_pitfall(
            ctx,
            key,
            places,
            centres[-1],
            impl.nearby(ctx.r, key, centres[-1][0], centres[-1][1], RADIUS_M),
            found,
            extra,
            expected,
        ),
        points=POINTS,
        queries=len(centres),
        expected=expected,
        found=found,
        extra=extra,
        recall=round(recall, 2),
        max_diff_m=round(max_diff, 4),
    )


CELL_ONLY = (
    "searching only the geohash cell (prefix) that holds the centre misses neighbours just across its "
    "border; GEOSEARCH also scans the 8 neighbouring cells"
)
SWAPPED = (
    "latitude/longitude order: GEOADD takes longitude first, then latitude; a swapped pair inside +-85 "
    "degrees is accepted silently at the wrong place"
)
KILOMETRES = "distances in kilometres: the unit argument is 'm' (the hits are compared in metres)"
RADIUS_KM = "the radius sent in kilometres: BYRADIUS r m takes metres (radius_m as given)"
DESCENDING = "farthest first: results must be nearest first (ASC); DESC reverses them"
UNSORTED = (
    "no ASC: without it GEOSEARCH answers in geohash (score) order, not by distance; add ASC for "
    "nearest first"
)


def search_pitfall(
    ctx: DrillContext,
    key: str,
    places: list[Place],
    centre: tuple[float, float],
    raw: Any,
    found: int,
    extra: int,
    expected: int,
) -> str:
    """Which mistake a failed radius search shows, from the stored positions and one query's hits."""
    name, lon, lat = places[0]
    pos = ctx.r.geopos(key, name)[0]
    if pos is not None and geohash.distance_m((lat, lon), (float(pos[0]), float(pos[1]))) < 1.0:
        return SWAPPED
    hits = pairs(raw, "nearby")
    truth = {m: geohash.distance_m(centre, (x, y)) for m, x, y in places}
    places_by_name = {m: (x, y) for m, x, y in places}
    scaled = [d * 1000 / truth[m] for m, d in hits if truth.get(m, 0) > 10]
    if scaled and all(abs(x - 1) < 0.01 for x in scaled):
        return KILOMETRES
    if extra and any(truth.get(m, 0) > RADIUS_M * 10 for m, _ in hits):
        return RADIUS_KM
    outside = [m for m, _ in hits if truth.get(m, 0) > RADIUS_M + TOLERANCE_M]
    if extra and outside and all(in_box(centre, places_by_name[m], RADIUS_M) for m in outside):
        return BOX
    if found == 0:
        return "the search centre swapped: FROMLONLAT takes longitude, then latitude"
    if not extra and found < expected:  # places missed, none extra (not just distances off)
        return CELL_ONLY
    return NO_KNOWN_PITFALL


@check("proximity.order", "results are nearest first, distances in metres")
def order(ctx: DrillContext, impl: Any) -> Verdict:
    """nearby and nearest both return hits sorted by distance, ascending."""
    rng = ctx.fork_rng("order")
    key = ctx.key("geo", "{order}")
    ctx.r.delete(key)
    places = seeded_places(rng, 300, prefix="cafe")
    impl.add_places(ctx.r, key, places)
    lon, lat = CENTRE
    problems, kinds = [], set()
    for fn, hits in (
        ("nearby", impl.nearby(ctx.r, key, lon, lat, 2_000.0)),
        ("nearest", impl.nearest(ctx.r, key, lon, lat, 5_000.0, 8)),
    ):
        got = pairs(hits, fn)
        distances = [d for _, d in got]
        if distances != sorted(distances):
            problems.append(f"{fn} returned distances {[round(d) for d in distances[:5]]}… (want ascending)")
            kinds.add(_order_shape(ctx, key, got))
        if len(got) < 2:
            problems.append(f"{fn} returned {len(got)} hits (want several)")
            kinds.add(NO_KNOWN_PITFALL)
    return verdict(
        not problems,
        "nearby and nearest both returned nearest first" if not problems else "; ".join(problems),
        pitfall=kinds.pop() if len(kinds) == 1 else NO_KNOWN_PITFALL,
    )


BY_NAME = (
    "hits re-sorted by name after the search: keep GEOSEARCH's ASC order (nearest first), or sort by distance"
)


def _order_shape(ctx: DrillContext, key: str, got: list[tuple[str, float]]) -> str:
    """Which order unsorted hits are in: reversed, by name, by geohash score (no ASC), or unknown."""
    distances = [d for _, d in got]
    names = [m for m, _ in got]
    if distances == sorted(distances, reverse=True):
        return DESCENDING
    if names == sorted(names):
        return BY_NAME
    with ctx.r.pipeline(transaction=False) as pipe:
        for name in names:
            pipe.zscore(key, name)
        scores = [float(x) if x is not None else None for x in pipe.execute()]
    if None not in scores and scores == sorted(scores):  # type: ignore[type-var]
        return UNSORTED
    return NO_KNOWN_PITFALL


@check("proximity.moves", "add_places returns how many were new, and moves a place that moved")
def moves(ctx: DrillContext, impl: Any) -> Verdict:
    """Add 3, then re-add 1 moved 5 km and 1 new: 3 then 1 new; GEOPOS shows the moved one where it went."""
    key = ctx.key("geo", "{moves}")
    ctx.r.delete(key)
    lon, lat = CENTRE
    first = impl.add_places(
        ctx.r, key, [("bus:1", lon, lat), ("bus:2", lon + 0.01, lat), ("bus:3", lon, lat + 0.01)]
    )
    moved_to = (lon + 0.06, lat)  # about 5 km east
    second = impl.add_places(ctx.r, key, [("bus:1", *moved_to), ("bus:4", lon - 0.01, lat)])
    pos = ctx.r.geopos(key, "bus:1")[0]
    off_m = float("inf") if pos is None else geohash.distance_m(moved_to, (float(pos[0]), float(pos[1])))
    moved = off_m <= 1.0
    ok = first == 3 and second == 1 and moved
    if first != 3 or second != 1:
        pitfall = (
            "add_places must return how many places were new: GEOADD's reply (without CH), not the batch size"
            if (first, second) == (3, 2)
            else "add_places must return GEOADD's reply (how many were new)"
        )
    elif pos is not None and geohash.distance_m(moved_to[::-1], (float(pos[0]), float(pos[1]))) <= 1.0:
        pitfall = SWAPPED  # stored at (latitude, longitude): the pair was given latitude first
    elif pos is not None and geohash.distance_m((lon, lat), (float(pos[0]), float(pos[1]))) <= 1.0:
        pitfall = KEPT_OLD_POSITION  # still where it was first added: the re-add changed nothing
    elif not moved:
        pitfall = "a moved place must be re-added under the same member (GEOADD updates its position)"
    else:
        pitfall = None
    where = "where it moved" if moved else f"{off_m / 1000:,.1f} km from where it moved (GEOPOS)"
    return verdict(
        ok,
        f"add_places returned {first!r} then {second!r} (want 3 then 1); bus:1 is {where}",
        pitfall=pitfall,
    )


KEPT_OLD_POSITION = (
    "the moved place kept its old position: GEOADD NX only adds new members and never updates one; "
    "drop NX (plain GEOADD updates, XX only updates)"
)


@check("proximity.k_nearest", "k nearest are the k nearest")
def k_nearest(ctx: DrillContext, impl: Any) -> Verdict:
    """``nearest(k=5)`` returns the 5 places a brute-force scan ranks nearest (ties within tolerance)."""
    rng = ctx.fork_rng("nearest")
    key = ctx.key("geo", "{nearest}")
    ctx.r.delete(key)
    places = seeded_places(rng, 400, prefix="shop")
    impl.add_places(ctx.r, key, places)
    k, radius = 5, 3_000.0
    wrong: list[str] = []
    kinds: set[str] = set()
    for q in range(4):
        centre = (CENTRE[0] + rng.uniform(-0.05, 0.05), CENTRE[1] + rng.uniform(-0.04, 0.04))
        truth = sorted((geohash.distance_m(centre, (lon, lat)), m) for m, lon, lat in places)
        kth = truth[k - 1][0]
        brute = {m: d for d, m in truth}
        got = pairs(impl.nearest(ctx.r, key, centre[0], centre[1], radius, k), "nearest")
        far = [m for m, _ in got if brute.get(m, float("inf")) > kth + TOLERANCE_M]
        inside = sorted(d for d, _ in truth if d <= radius)
        if len(got) != k:
            wrong.append(f"query {q + 1}: returned {len(got)} places, want {k}")
            kinds.add(NO_COUNT if len(got) > k else NO_KNOWN_PITFALL)
        elif far:
            wrong.append(f"query {q + 1}: {len(far)} of {k} are not among the {k} nearest")
            farthest = {m for d, m in truth if d <= radius and d >= inside[-k] - TOLERANCE_M}
            kinds.add(DESCENDING if {m for m, _ in got} <= farthest else COUNT_ANY)
    return verdict(
        not wrong,
        f"4 queries each returned the {k} nearest" if not wrong else "; ".join(wrong),
        pitfall=kinds.pop() if len(kinds) == 1 else NO_KNOWN_PITFALL,
        wrong=len(wrong),
    )


NO_COUNT = "nearest must return at most k places: GEOSEARCH ... ASC COUNT k"
COUNT_ANY = (
    "COUNT k ANY returns the first k matches the server meets, not the k nearest; drop ANY (the server "
    "then sorts every match in the area)"
)


@check("proximity.one_round_trip", "one round trip per operation")
def one_round_trip(ctx: DrillContext, impl: Any) -> Verdict:
    """Indexing a batch and each search are one round trip."""
    key = ctx.key("geo", "{trips}")
    places = seeded_places(ctx.fork_rng("trips"), 50)
    lon, lat = CENTRE
    calls = {
        "add_places": functools.partial(impl.add_places, ctx.r, key, places),
        "nearby": functools.partial(impl.nearby, ctx.r, key, lon, lat, RADIUS_M),
        "nearest": functools.partial(impl.nearest, ctx.r, key, lon, lat, RADIUS_M, 3),
    }
    trips = {name: round_trips_of(ctx, f"check:{name}", call)[1] for name, call in calls.items()}
    heavy = {n: t for n, t in trips.items() if t != 1}
    return verdict(
        not heavy,
        "every operation took 1 round trip"
        if not heavy
        else ", ".join(f"{n} took {t} round trips" for n, t in heavy.items()),
        pitfall="one GEOADD per place, or positions fetched one by one: send the batch in one command",
        **{f"trips_{n}": t for n, t in trips.items()},
    )


CHECKS = (positions, moves, radius_recall, order, k_nearest, one_round_trip)
