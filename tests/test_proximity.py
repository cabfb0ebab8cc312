"""The proximity drill: reference passes every check; naive variants fail as the drill says."""

from __future__ import annotations

import random
from typing import Any

import pytest
import redis

from redisprep import geohash
from redisprep.backends import Backend, connect, delete_namespace
from redisprep.drills import run_drill
from redisprep.drills._geo import EMBEDDED_NOTE, member_score
from redisprep.drills.context import DrillContext
from redisprep.drills.proximity import checks
from redisprep.drills.proximity import reference as prox
from redisprep.drills.proximity.steps import COUNT_ANY_NEAREST, LAT_FIRST, PREFIX_GRID


def test_recall_is_complete_against_brute_force(ctx: DrillContext) -> None:
    result = checks.radius_recall.run(ctx, prox)
    assert result.measured["points"] >= 1000
    assert result.measured["expected"] > 100  # enough places inside the radii to mean something
    assert result.measured["recall"] == 100.0
    assert result.measured["extra"] == 0
    assert 0 < float(result.measured["max_diff_m"] or 0) <= checks.TOLERANCE_M


def test_same_prefix_search_misses_neighbours_across_cell_borders(ctx: DrillContext) -> None:
    result = checks.radius_recall.run(ctx, PREFIX_GRID)
    assert not result.passed
    assert 0 < int(result.measured["found"] or 0) < int(result.measured["expected"] or 0)
    assert "8 neighbouring cells" in (result.pitfall or "")


def test_latitude_first_is_accepted_silently_and_caught_by_geopos(ctx: DrillContext) -> None:
    key = ctx.key("geo", "{swap}")
    with pytest.raises(redis.ResponseError, match="invalid longitude,latitude pair"):
        prox.naive_add_places(ctx.r, key, [("sf", -122.4194, 37.7749)])
    result = checks.positions.run(ctx, LAT_FIRST)
    assert not result.passed
    assert float(result.measured["worst_error_m"] or 0) > 1_000_000
    assert "longitude first" in (result.pitfall or "")


def test_count_any_is_not_the_k_nearest(ctx: DrillContext) -> None:
    result = checks.k_nearest.run(ctx, COUNT_ANY_NEAREST)
    assert not result.passed
    assert "ANY" in (result.pitfall or "")


def test_points_straddling_the_origin_share_no_prefix(ctx: DrillContext) -> None:
    key = ctx.key("geo", "{origin}")
    pair = [("ne", 0.0000005, 0.0000005), ("sw", -0.0000005, -0.0000005)]
    prox.naive_grid_add_places(ctx.r, key, pair)
    assert ctx.r.geohash(key, "ne", "sw") == ["s0000000000", "7zzzzzzzzz0"]
    assert [m for m, _ in prox.naive_grid_nearby(ctx.r, key, 0.0, 0.0, 10)] == ["ne"]
    assert sorted(m for m, _ in prox.nearby(ctx.r, key, 0.0, 0.0, 10)) == ["ne", "sw"]


def test_zscore_of_a_geo_member_is_the_52_bit_integer(ctx: DrillContext) -> None:
    """Redis returns the 52-bit integer; so does the embedded backend (redisprep.fakegeo)."""
    key = ctx.key("geo", "{score}")
    prox.add_places(ctx.r, key, [("palermo", 13.361389, 38.115556)])
    score = member_score(ctx.r, key, "palermo", 13.361389, 38.115556)
    assert score.value == 3479099956230698
    assert score.read


def test_bybox_where_the_server_has_it_and_the_client_side_filter_everywhere(ctx: DrillContext) -> None:
    """The client-side filter gives the answer BYBOX gives, wherever the probe finds BYBOX."""
    key = ctx.key("geo", "{box}")
    prox.add_places(ctx.r, key, [("origin", 0.0, 0.0), ("corner", 0.0089, 0.0089), ("far", 0.02, 0.0)])
    assert [m for m, _ in prox.nearby(ctx.r, key, 0.0, 0.0, 1_000)] == ["origin"]
    filtered = sorted(m for m, _ in prox.box_filter(ctx.r, key, 0.0, 0.0, 2_000, 2_000))
    assert filtered == ["corner", "origin"]
    if ctx.backend.supports("geosearch-bybox"):
        assert sorted(m for m, _ in prox.in_box(ctx.r, key, 0.0, 0.0, 2_000, 2_000)) == filtered
    else:
        with pytest.raises(redis.ResponseError):
            prox.in_box(ctx.r, key, 0.0, 0.0, 2_000, 2_000)


@pytest.mark.live
def test_distances_agree_between_backends(live: Any) -> None:
    """The same search on fakeredis and Redis: same members, distances within the tolerance."""
    places = checks.seeded_places(random.Random(11), checks.POINTS)
    replies = []
    for url in (None, live.url):
        backend = connect(url)
        context = DrillContext.create(backend)
        key = context.key("geo", "{agree}")
        prox.add_places(context.r, key, places)
        replies.append(dict(prox.nearby(context.r, key, *checks.CENTRE, 3_000)))
        delete_namespace(backend.client(), context.ns)
        backend.close()
    fake, real = replies
    both = fake.keys() & real.keys()
    assert len(both) > 50
    # Only places within a tolerance of the radius may be in one answer and not the other.
    for member in fake.keys() ^ real.keys():
        assert abs(fake.get(member, real.get(member, 0)) - 3_000) <= checks.TOLERANCE_M
    assert max(abs(fake[m] - real[m]) for m in both) <= checks.TOLERANCE_M


def test_geohash_prefix_cells_contain_their_points() -> None:
    (lon_lo, lat_lo), (lon_hi, lat_hi) = geohash.string_cell(geohash.prefix(12.4964, 41.9028, 5))
    assert lon_lo <= 12.4964 < lon_hi and lat_lo <= 41.9028 < lat_hi
    assert geohash.prefix(12.4964, 41.9028, 5) == "sr2yk"


def test_drill_is_deterministic_and_leaves_no_keys(backend: Backend) -> None:
    first = run_drill("proximity", backend, seed=9)
    second = run_drill("proximity", backend, seed=9)
    assert first.ok and second.ok

    def tables(report: Any) -> list[Any]:
        return [f.rows for s in report.steps for f in s.outcome.figures if f.title != "index"]

    assert tables(first) == tables(second)
    recall = next(f for s in first.steps for f in s.outcome.figures if f.title.startswith("recall"))
    assert recall.rows[1][4] == "100.0%"
    assert list(backend.client().scan_iter(match="redisprep:*")) == []
    costs = {c.operation: c for c in first.costs}
    assert costs["search by radius (GEOSEARCH)"].round_trips_per_call == 1
    assert costs["search by radius (GEOSEARCH)"].commands == ("GEOSEARCH",)
    assert costs["add 1,200 places (GEOADD)"].round_trips_per_call == 1
    box = "box search (BYRADIUS + filter in app)"
    assert costs[box].round_trips_per_call == 1
    assert ("box search (GEOSEARCH BYBOX)" in costs) is backend.supports("geosearch-bybox")
    narration = " ".join(p for s in first.steps for p in s.outcome.narration)
    assert EMBEDDED_NOTE not in narration  # the embedded scores are read too (redisprep.fakegeo)
