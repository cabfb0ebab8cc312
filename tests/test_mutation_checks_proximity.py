"""The proximity checks decide right: each wrong solution fails the check it breaks, naming its
pitfall, and the reference passes each check with the message a learner reads.

In this process, on the embedded backend (``make mutate`` sees a mutated check here); the wrong
solutions are the reference with one function replaced, as a learner would write them (most are
drills/proximity/wrong/*.py, which the practice corpus grades in a child process).
"""

from __future__ import annotations

import math
import random
from typing import Any

import pytest
from mutation_support import corpus_module, embedded_ctx  # noqa: F401 (the ctx fixture)
from mutation_support import fails as _fails

from redisprep import geohash
from redisprep.drills.check_helpers import NO_KNOWN_PITFALL, UnusableResultError, variant
from redisprep.drills.context import DrillContext
from redisprep.drills.model import CheckResult
from redisprep.drills.proximity import checks, checks_places
from redisprep.drills.proximity import reference as prox
from redisprep.drills.runner import operation_costs

#: Metres per degree of latitude on Redis's sphere: a place ``d`` metres north is ``d / M_PER_DEG``
#: degrees of latitude away, exactly, for the haversine distance the checks use.
M_PER_DEG = geohash.EARTH_RADIUS_M * math.pi / 180


def _search(*options: Any, radius: Any = lambda r: r, unit: str = "m", scale: float = 1.0) -> Any:
    """A ``nearby`` sending GEOSEARCH with other options than ``BYRADIUS r m ASC WITHDIST``."""

    def nearby(r: Any, key: str, lon: float, lat: float, radius_m: float) -> list[tuple[str, float]]:
        reply = r.execute_command(
            "GEOSEARCH", key, "FROMLONLAT", lon, lat, "BYRADIUS", radius(radius_m), unit, *options, "WITHDIST"
        )
        return [(str(m), float(d) * scale) for m, d in reply]

    return nearby


def _nearest(*options: Any) -> Any:
    """A ``nearest`` sending GEOSEARCH ... BYRADIUS r m with other options than ``ASC COUNT k``."""

    def nearest(r: Any, key: str, lon: float, lat: float, radius_m: float, k: int) -> list[tuple[str, float]]:
        sent = [k if o == "k" else o for o in options]
        reply = r.execute_command(
            "GEOSEARCH", key, "FROMLONLAT", lon, lat, "BYRADIUS", radius_m, "m", *sent, "WITHDIST"
        )
        return [(str(m), float(d)) for m, d in reply]

    return nearest


def _add_moved(north_m: float) -> Any:
    """An ``add_places`` that stores every place ``north_m`` metres north of where it is."""

    def add_places(r: Any, key: str, places: list[tuple[str, float, float]]) -> int:
        return prox.add_places(r, key, [(m, lon, lat + north_m / M_PER_DEG) for m, lon, lat in places])

    return add_places


# --- the reference passes, with the message the learner reads ----------------------------------


PASSING = {
    checks.positions: "every city within 0.15 m of its input; Palermo-Catania 166.27 km",
    checks.moves: "add_places returned 3 then 1 (want 3 then 1); bus:1 is where it moved",
    checks.radius_recall: "153 of 153 places within 1000 m found over 12 queries (100.0% recall, want "
    "100%), 0 outside (want 0); distances within 0.23 m of brute force (want 2 m)",
    checks.order: "nearby and nearest both returned nearest first",
    checks.k_nearest: "4 queries each returned the 5 nearest",
    checks.one_round_trip: "every operation took 1 round trip",
}


@pytest.mark.parametrize("check", list(PASSING), ids=lambda c: c.id)
def test_the_reference_passes_each_check_with_its_message(ctx: DrillContext, check: Any) -> None:
    result = check.run(ctx, prox)
    assert (result.status, result.message, result.pitfall) == ("pass", PASSING[check], None)


def test_the_reference_measures_what_it_says(ctx: DrillContext) -> None:
    assert checks.positions.run(ctx, prox).measured == {
        "worst_error_m": 0.151,
        "palermo_catania_m": 166274.15,
    }
    assert checks.radius_recall.run(ctx, prox).measured == {
        "points": 1200,
        "queries": 12,
        "expected": 153,
        "found": 153,
        "extra": 0,
        "recall": 100.0,
        "max_diff_m": 0.2269,
    }
    assert checks.k_nearest.run(ctx, prox).measured == {"wrong": 0}
    assert checks.one_round_trip.run(ctx, prox).measured == {
        "trips_add_places": 1,
        "trips_nearby": 1,
        "trips_nearest": 1,
    }


# --- positions ----------------------------------------------------------------------------------


def test_latitude_first_fails_positions_naming_the_city_stored_farthest(ctx: DrillContext) -> None:
    result = checks.positions.run(ctx, variant(prox, add_places=prox.naive_add_places))
    _fails(result, checks.SWAPPED)
    assert result.message == (
        "london is stored 7,495 km from its input; Palermo-Catania 203.02 km (want 166.27)"
    )
    assert result.measured == {"worst_error_m": 7494741.528, "palermo_catania_m": 203017.19}


def test_a_city_left_out_fails_positions_as_infinitely_far(ctx: DrillContext) -> None:
    def all_but_nairobi(r: Any, key: str, places: list[Any]) -> int:
        return prox.add_places(r, key, [p for p in places if p[0] != "nairobi"])

    result = checks.positions.run(ctx, variant(prox, add_places=all_but_nairobi))
    assert result.status == "fail"
    assert (
        result.message == "nairobi is stored inf km from its input; Palermo-Catania 166.27 km (want 166.27)"
    )
    assert result.measured == {"worst_error_m": math.inf, "palermo_catania_m": 166274.15}


def test_palermo_left_out_measures_no_span(ctx: DrillContext) -> None:
    def all_but_palermo(r: Any, key: str, places: list[Any]) -> int:
        return prox.add_places(r, key, [p for p in places if p[0] != "palermo"])

    result = checks.positions.run(ctx, variant(prox, add_places=all_but_palermo))
    assert result.message == "palermo is stored inf km from its input; Palermo-Catania 0.00 km (want 166.27)"
    assert result.measured == {"worst_error_m": math.inf, "palermo_catania_m": 0.0}


@pytest.mark.parametrize(("north_m", "status"), [(0.5, "pass"), (1.6, "fail"), (3.0, "fail")])
def test_positions_allow_one_metre(ctx: DrillContext, north_m: float, status: str) -> None:
    """Stored within 1 m of the input passes (the geohash adds up to about 0.3 m); 1.6 m does not."""
    result = checks.positions.run(ctx, variant(prox, add_places=_add_moved(north_m)))
    assert result.status == status
    worst = float(result.measured["worst_error_m"] or 0)
    assert north_m - 0.4 < worst < north_m + 0.4
    if status == "fail":
        assert result.message.endswith(" km from its input; Palermo-Catania 166.27 km (want 166.27)")
        assert result.pitfall == checks.SWAPPED


# --- moves --------------------------------------------------------------------------------------

BATCH_SIZE = (
    "add_places must return how many places were new: GEOADD's reply (without CH), not the batch size"
)
REPLY = "add_places must return GEOADD's reply (how many were new)"
NOT_MOVED = "a moved place must be re-added under the same member (GEOADD updates its position)"


def _geoadd(*flags: str) -> Any:
    def add_places(r: Any, key: str, places: list[Any]) -> Any:
        return r.execute_command("GEOADD", key, *flags, *[v for m, lon, lat in places for v in (lon, lat, m)])

    return add_places


def test_geoadd_ch_fails_moves_as_the_batch_size(ctx: DrillContext) -> None:
    result = checks.moves.run(ctx, variant(prox, add_places=_geoadd("CH")))
    _fails(result, BATCH_SIZE)
    assert result.message == "add_places returned 3 then 2 (want 3 then 1); bus:1 is where it moved"


def test_returning_the_batch_size_fails_moves(ctx: DrillContext) -> None:
    def batch_size(r: Any, key: str, places: list[Any]) -> int:
        prox.add_places(r, key, places)
        return len(places)

    _fails(checks.moves.run(ctx, variant(prox, add_places=batch_size)), BATCH_SIZE)


def test_returning_nothing_fails_moves(ctx: DrillContext) -> None:
    def no_return(r: Any, key: str, places: list[Any]) -> None:
        prox.add_places(r, key, places)

    result = checks.moves.run(ctx, variant(prox, add_places=no_return))
    _fails(result, REPLY)
    assert result.message == "add_places returned None then None (want 3 then 1); bus:1 is where it moved"


def test_returning_the_set_size_fails_moves_on_the_second_batch(ctx: DrillContext) -> None:
    def set_size(r: Any, key: str, places: list[Any]) -> int:
        prox.add_places(r, key, places)
        return int(r.zcard(key))

    result = checks.moves.run(ctx, variant(prox, add_places=set_size))
    _fails(result, REPLY)
    assert result.message == "add_places returned 3 then 4 (want 3 then 1); bus:1 is where it moved"


def test_returning_a_bool_fails_moves_on_the_first_batch(ctx: DrillContext) -> None:
    def some_new(r: Any, key: str, places: list[Any]) -> bool:
        return prox.add_places(r, key, places) > 0

    result = checks.moves.run(ctx, variant(prox, add_places=some_new))
    _fails(result, REPLY)
    assert result.message.startswith("add_places returned True then True")


def test_one_new_place_counted_twice_fails_moves(ctx: DrillContext) -> None:
    def plus_one(r: Any, key: str, places: list[Any]) -> int:
        return prox.add_places(r, key, places) + 1

    result = checks.moves.run(ctx, variant(prox, add_places=plus_one))
    _fails(result, REPLY)
    assert result.message.startswith("add_places returned 4 then 2 (want 3 then 1)")


def test_geoadd_nx_fails_moves_keeping_the_old_position(ctx: DrillContext) -> None:
    result = checks.moves.run(ctx, variant(prox, add_places=_geoadd("NX")))
    _fails(result, checks.KEPT_OLD_POSITION)
    assert result.message == (
        "add_places returned 3 then 1 (want 3 then 1); bus:1 is 5.0 km from where it moved (GEOPOS)"
    )


def test_a_place_moved_two_metres_off_fails_moves(ctx: DrillContext) -> None:
    result = checks.moves.run(ctx, variant(prox, add_places=_add_moved(2.0)))
    _fails(result, NOT_MOVED)
    assert result.message.endswith("bus:1 is 0.0 km from where it moved (GEOPOS)")


def test_a_place_moved_within_a_metre_passes_moves(ctx: DrillContext) -> None:
    assert checks.moves.run(ctx, variant(prox, add_places=_add_moved(0.6))).status == "pass"


def test_places_written_to_another_key_are_nowhere(ctx: DrillContext) -> None:
    def other_key(r: Any, key: str, places: list[Any]) -> int:
        return prox.add_places(r, key + ":places", places)

    result = checks.moves.run(ctx, variant(prox, add_places=other_key))
    _fails(result, NOT_MOVED)
    assert result.message == (
        "add_places returned 3 then 1 (want 3 then 1); bus:1 is inf km from where it moved (GEOPOS)"
    )


# --- radius recall ------------------------------------------------------------------------------


def _recall(ctx: DrillContext, **overrides: Any) -> CheckResult:
    return checks.radius_recall.run(ctx, variant(prox, **overrides))


def test_searching_only_the_centres_cell_fails_recall(ctx: DrillContext) -> None:
    result = _recall(ctx, add_places=prox.naive_grid_add_places, nearby=prox.naive_grid_nearby)
    _fails(result, checks.CELL_ONLY)
    found = int(result.measured["found"] or 0)
    assert 0 < found < 153
    assert result.message.startswith(f"{found} of 153 places within 1000 m found over 12 queries (")
    assert result.measured["recall"] == round(100.0 * found / 153, 2)


def test_a_radius_too_small_fails_recall_with_places_missed(ctx: DrillContext) -> None:
    result = _recall(ctx, nearby=_search("ASC", radius=lambda r: r * 0.9))
    _fails(result, checks.CELL_ONLY)
    assert 0 < int(result.measured["found"] or 0) < 153 and result.measured["extra"] == 0


def test_distances_in_kilometres_fail_recall(ctx: DrillContext) -> None:
    result = _recall(ctx, nearby=_search("ASC", radius=lambda r: r / 1000, unit="km"))
    _fails(result, checks.KILOMETRES)
    assert result.message == (
        "153 of 153 places within 1000 m found over 12 queries (100.0% recall, want 100%), 0 outside "
        "(want 0); distances within 995.55 m of brute force (want 2 m)"
    )
    assert result.measured["max_diff_m"] == 995.5451


def test_the_radius_sent_in_kilometres_fails_recall(ctx: DrillContext) -> None:
    result = _recall(ctx, nearby=_search("ASC", unit="km", scale=1000.0))
    _fails(result, checks.RADIUS_KM)
    assert result.measured["extra"] == 14247
    assert "), 14247 outside (want 0); " in result.message


def test_a_swapped_search_centre_fails_recall(ctx: DrillContext) -> None:
    def swapped(r: Any, key: str, lon: float, lat: float, radius_m: float) -> Any:
        return prox.nearby(r, key, lat, lon, radius_m)

    result = _recall(ctx, nearby=swapped)
    _fails(result, "the search centre swapped: FROMLONLAT takes longitude, then latitude")
    assert result.message.startswith("0 of 153 places within 1000 m found over 12 queries (0.0% recall")
    assert result.measured["recall"] == 0.0 and result.measured["max_diff_m"] == 0.0


def test_latitude_first_fails_recall_as_swapped(ctx: DrillContext) -> None:
    _fails(_recall(ctx, add_places=prox.naive_add_places), checks.SWAPPED)


def test_latitude_first_and_two_metres_off_is_not_called_swapped(ctx: DrillContext) -> None:
    """The swapped-pair test allows 1 m: a pair stored 2 m from the swapped one is not that mistake."""

    def swapped_and_off(r: Any, key: str, places: list[Any]) -> int:
        return prox.naive_add_places(r, key, [(m, lon + 2.0 / M_PER_DEG, lat) for m, lon, lat in places])

    result = _recall(ctx, add_places=swapped_and_off)
    _fails(result, "the search centre swapped: FROMLONLAT takes longitude, then latitude")


def test_distances_a_few_metres_off_fail_recall(ctx: DrillContext) -> None:
    """Every place found, none extra: the distances alone fail it, and no cell was missed."""
    result = _recall(ctx, nearby=_search("ASC", scale=1.004))
    _fails(result, NO_KNOWN_PITFALL)
    assert (result.measured["found"], result.measured["extra"]) == (153, 0)
    assert 2.0 < float(result.measured["max_diff_m"] or 0) < 5.0


def test_distances_within_the_tolerance_pass_recall(ctx: DrillContext) -> None:
    result = _recall(ctx, nearby=_search("ASC", scale=1.0015))
    assert result.status == "pass"
    assert 1.0 < float(result.measured["max_diff_m"] or 0) <= checks.TOLERANCE_M


def test_extra_places_close_to_the_radius_fail_recall_with_no_known_pitfall(ctx: DrillContext) -> None:
    result = _recall(ctx, nearby=_search("ASC", radius=lambda r: r * 1.5))
    _fails(result, NO_KNOWN_PITFALL)
    assert result.measured["found"] == 153 and int(result.measured["extra"] or 0) > 0


def test_hits_that_are_not_pairs_fail_recall(ctx: DrillContext) -> None:
    result = _recall(
        ctx, nearby=lambda r, key, lon, lat, radius_m: [m for m, _ in prox.nearby(r, key, lon, lat, radius_m)]
    )
    _fails(result, NO_KNOWN_PITFALL)
    assert result.message.startswith("nearby returned [")
    assert result.message.endswith("; want a list of (member, distance in metres) pairs")


# --- comparing with brute force -----------------------------------------------------------------

CENTRE = (12.45, 41.90)


def _north(name: str, metres: float) -> tuple[str, float, float]:
    return (name, CENTRE[0], CENTRE[1] + metres / M_PER_DEG)


def test_compare_counts_only_places_clearly_inside_or_outside() -> None:
    """Within the tolerance of the radius a place may be found or not: neither counts against it."""
    places = [
        _north("a", 500.0),
        _north("b", 997.5),
        _north("c", 999.0),
        _north("d", 1001.5),
        _north("e", 1002.5),
    ]
    assert [round(geohash.distance_m(CENTRE, (lon, lat)), 6) for _, lon, lat in places] == [
        500.0,
        997.5,
        999.0,
        1001.5,
        1002.5,
    ]
    everything = [(m, geohash.distance_m(CENTRE, (lon, lat))) for m, lon, lat in places]
    assert checks_places.compare(places, CENTRE, 1_000.0, everything) == checks_places.Recall(2, 2, 1, 0.0)
    assert checks_places.compare(places, CENTRE, 1_000.0, everything[2:4]) == checks_places.Recall(
        2, 0, 0, 0.0
    )
    assert checks_places.compare(places, CENTRE, 1_000.0, []) == checks_places.Recall(2, 0, 0, 0.0)


def test_compare_measures_the_largest_distance_error_of_known_places() -> None:
    places = [_north("a", 100.0), _north("b", 200.0)]
    hits = [("a", 101.5), ("b", 197.0), ("ghost", 5.0)]
    recall = checks_places.compare(places, CENTRE, 1_000.0, hits)
    assert (recall.expected, recall.found, recall.extra) == (2, 2, 1)
    assert recall.max_diff_m == pytest.approx(3.0)


def test_compare_refuses_hits_that_are_not_pairs() -> None:
    with pytest.raises(UnusableResultError) as raised:
        checks_places.compare([_north("a", 1.0)], CENTRE, 10.0, ["a"])  # type: ignore[list-item]
    assert str(raised.value) == "nearby returned ['a']; want a list of (member, distance in metres) pairs"


def test_recall_is_the_share_found_and_full_when_nothing_was_expected() -> None:
    assert checks_places.Recall(4, 3, 0, 0.0).recall == 75.0
    assert checks_places.Recall(0, 0, 5, 0.0).recall == 100.0


def test_seeded_places_fill_the_box_around_rome() -> None:
    places = checks_places.seeded_places(random.Random(1), 1200)
    assert [m for m, _, _ in places[:2]] == ["poi:0000", "poi:0001"] and places[-1][0] == "poi:1199"
    assert checks_places.seeded_places(random.Random(1), 1, prefix="cafe")[0][0] == "cafe:0000"
    lons = [lon - 12.45 for _, lon, _ in places]
    lats = [lat - 41.90 for _, _, lat in places]
    assert 0.095 < max(lons) <= 0.1 and -0.1 <= min(lons) < -0.095
    assert 0.07 < max(lats) <= 0.075 and -0.075 <= min(lats) < -0.07
    assert all(round(v, 6) == v for _, lon, lat in places for v in (lon, lat))
    assert len({round(v, 5) for _, lon, lat in places for v in (lon, lat)}) > 2000  # not rounded coarser


def test_border_centres_sit_on_geohash_cell_borders() -> None:
    """Five geohash characters: 13 longitude and 12 latitude bits, cells of 360/2^13 x 180/2^12 degrees."""
    width, height = 360 / 2**13, 180 / 2**12
    centres = checks_places.border_centres(random.Random(7), 6)
    assert len(centres) == 6
    for i, (lon, lat) in enumerate(centres):
        on_lon = ((lon + 180) / width) % 1
        on_lat = ((lat + 90) / height) % 1
        want = [(0.0, 0.0), (0.0, 0.5), (0.5, 0.0)][i % 3]
        assert (round(on_lon, 9) % 1, round(on_lat, 9) % 1) == want, i
        assert abs(lon - 12.45) < 0.05 + width and abs(lat - 41.90) < 0.04 + height


def test_a_box_search_for_a_radius_fails_recall_naming_the_box(ctx: DrillContext) -> None:
    result = checks.radius_recall.run(ctx, corpus_module("proximity", "box_for_radius"))
    _fails(result, checks_places.BOX)
    assert result.message.startswith("153 of 153 places within 1000 m found over 12 queries (100.0% recall")
    assert result.measured["extra"] == 36


def _east(metres: float) -> float:
    """Degrees of longitude that are ``metres`` along the parallel of the drill's centre."""
    return metres / (M_PER_DEG * math.cos(math.radians(checks_places.CENTRE[1])))


@pytest.mark.parametrize(
    ("east_m", "north_m", "inside"),
    [
        (0, 1_001, True),
        (0, -1_001, True),
        (0, 1_003, False),  # past the 2 m tolerance
        (1_001, 0, True),
        (-1_003, 0, False),
        (1_001, 1_001, True),  # a corner: 1,416 m away, still in the square
        (1_003, 500, False),
        (500, -1_003, False),
    ],
)
def test_in_box_is_the_square_of_half_side_r_around_the_centre(
    east_m: float, north_m: float, inside: bool
) -> None:
    lon, lat = checks_places.CENTRE
    point = (lon + _east(east_m), lat + north_m / M_PER_DEG)
    assert checks_places.in_box(checks_places.CENTRE, point, 1_000.0) is inside


def test_border_centres_are_spread_over_the_middle_of_the_box() -> None:
    centres = checks_places.border_centres(random.Random(7), 300)
    lons = [lon - 12.45 for lon, _ in centres]
    lats = [lat - 41.90 for _, lat in centres]
    assert min(lons) < -0.03 and max(lons) > 0.03 and min(lats) < -0.02 and max(lats) > 0.02


# --- order --------------------------------------------------------------------------------------


def test_desc_nearby_fails_order_as_farthest_first(ctx: DrillContext) -> None:
    result = checks.order.run(ctx, variant(prox, nearby=_search("DESC")))
    _fails(result, checks.DESCENDING)
    assert result.message == "nearby returned distances [1989, 1954, 1883, 1793, 1741]… (want ascending)"


def test_no_asc_fails_order_as_unsorted(ctx: DrillContext) -> None:
    result = checks.order.run(ctx, variant(prox, nearby=_search()))
    _fails(result, checks.UNSORTED)
    assert result.message == "nearby returned distances [1793, 1741, 1954, 1472, 1046]… (want ascending)"


def test_hits_re_sorted_by_name_fail_order_naming_it(ctx: DrillContext) -> None:
    result = checks.order.run(ctx, corpus_module("proximity", "sorted_by_name"))
    _fails(result, checks.BY_NAME)
    assert result.message == "nearby returned distances [1883, 1793, 1153, 1046, 1954]… (want ascending)"


def test_hits_in_no_order_the_check_knows_fail_order_with_no_known_pitfall(ctx: DrillContext) -> None:
    """Nearest first but the nearest moved to the end: not reversed, not by name, not geohash order."""

    def rotated(*args: Any) -> list[tuple[str, float]]:
        hits = prox.nearby(*args)
        return hits[1:] + hits[:1]

    result = checks.order.run(ctx, variant(prox, nearby=rotated))
    _fails(result, NO_KNOWN_PITFALL)
    assert result.message == "nearby returned distances [984, 1046, 1153, 1396, 1472]… (want ascending)"


def test_unsorted_hits_under_other_names_fail_order_with_no_known_pitfall(ctx: DrillContext) -> None:
    """No ASC, and members renamed ("cafe:0042" as "0042"): the key holds no such members, so their
    geohash order cannot be told."""

    def renamed(r: Any, key: str, lon: float, lat: float, radius_m: float) -> list[tuple[str, float]]:
        return [(m.split(":")[1], d) for m, d in _search()(r, key, lon, lat, radius_m)]

    result = checks.order.run(ctx, variant(prox, nearby=renamed))
    _fails(result, NO_KNOWN_PITFALL)
    assert result.message == "nearby returned distances [1793, 1741, 1954, 1472, 1046]… (want ascending)"


def test_desc_nearest_fails_order(ctx: DrillContext) -> None:
    result = checks.order.run(ctx, variant(prox, nearest=_nearest("DESC", "COUNT", "k")))
    _fails(result, checks.DESCENDING)
    assert result.message == "nearest returned distances [4946, 4942, 4925, 4921, 4910]… (want ascending)"


def test_two_different_order_mistakes_name_no_single_pitfall(ctx: DrillContext) -> None:
    result = checks.order.run(ctx, variant(prox, nearby=_search("DESC"), nearest=_nearest()))
    _fails(result, NO_KNOWN_PITFALL)
    assert result.message.startswith(
        "nearby returned distances [1989, 1954, 1883, 1793, 1741]… (want ascending); "
    )
    assert "; nearest returned distances [" in result.message


def test_one_hit_is_too_few_to_show_an_order(ctx: DrillContext) -> None:
    result = checks.order.run(ctx, variant(prox, nearby=lambda *a: prox.nearby(*a)[:1]))
    _fails(result, NO_KNOWN_PITFALL)
    assert result.message == "nearby returned 1 hits (want several)"


def test_two_hits_in_order_pass_order(ctx: DrillContext) -> None:
    assert checks.order.run(ctx, variant(prox, nearby=lambda *a: prox.nearby(*a)[:2])).status == "pass"


def test_no_hits_at_all_fail_order(ctx: DrillContext) -> None:
    result = checks.order.run(ctx, variant(prox, nearby=lambda *a: [], nearest=lambda *a: []))
    _fails(result, NO_KNOWN_PITFALL)
    assert result.message == "nearby returned 0 hits (want several); nearest returned 0 hits (want several)"


# --- k nearest ----------------------------------------------------------------------------------


def test_count_any_fails_k_nearest(ctx: DrillContext) -> None:
    result = checks.k_nearest.run(ctx, variant(prox, nearest=prox.naive_nearest))
    _fails(result, checks.COUNT_ANY)
    assert result.message == "; ".join(f"query {q}: 5 of 5 are not among the 5 nearest" for q in range(1, 5))
    assert result.measured == {"wrong": 4}


def test_desc_before_count_fails_k_nearest_as_farthest_first(ctx: DrillContext) -> None:
    result = checks.k_nearest.run(ctx, variant(prox, nearest=_nearest("DESC", "COUNT", "k")))
    _fails(result, checks.DESCENDING)
    assert result.measured == {"wrong": 4}


def test_no_count_fails_k_nearest(ctx: DrillContext) -> None:
    result = checks.k_nearest.run(ctx, variant(prox, nearest=_nearest("ASC")))
    _fails(result, checks.NO_COUNT)
    assert result.message == (
        "query 1: returned 34 places, want 5; query 2: returned 34 places, want 5; "
        "query 3: returned 32 places, want 5; query 4: returned 45 places, want 5"
    )


def test_count_k_minus_one_fails_k_nearest_with_no_known_pitfall(ctx: DrillContext) -> None:
    result = checks.k_nearest.run(
        ctx,
        variant(prox, nearest=lambda r, key, lon, lat, rad, k: prox.nearest(r, key, lon, lat, rad, k - 1)),
    )
    _fails(result, NO_KNOWN_PITFALL)
    assert result.message.startswith("query 1: returned 4 places, want 5; query 2: ")


def test_count_k_plus_one_fails_k_nearest(ctx: DrillContext) -> None:
    result = checks.k_nearest.run(
        ctx,
        variant(prox, nearest=lambda r, key, lon, lat, rad, k: prox.nearest(r, key, lon, lat, rad, k + 1)),
    )
    _fails(result, checks.NO_COUNT)
    assert result.message.startswith("query 1: returned 6 places, want 5; ")


def test_skipping_the_nearest_fails_k_nearest(ctx: DrillContext) -> None:
    """The 2nd to 6th nearest: one of them is not among the 5 nearest, and it is no DESC mistake."""
    result = checks.k_nearest.run(
        ctx,
        variant(
            prox, nearest=lambda r, key, lon, lat, rad, k: prox.nearest(r, key, lon, lat, rad, k + 1)[1:]
        ),
    )
    _fails(result, checks.COUNT_ANY)
    assert result.message == "; ".join(f"query {q}: 1 of 5 are not among the 5 nearest" for q in range(1, 5))


def test_the_k_nearest_in_any_order_pass_k_nearest(ctx: DrillContext) -> None:
    """Only which places: the order is proximity.order's."""
    result = checks.k_nearest.run(ctx, variant(prox, nearest=lambda *a: prox.nearest(*a)[::-1]))
    assert result.status == "pass"


def test_members_the_set_does_not_hold_fail_k_nearest(ctx: DrillContext) -> None:
    result = checks.k_nearest.run(
        ctx, variant(prox, nearest=lambda *a: [(m.upper(), d) for m, d in prox.nearest(*a)])
    )
    _fails(result, checks.COUNT_ANY)
    assert result.message.startswith("query 1: 5 of 5 are not among the 5 nearest")


def test_mixed_mistakes_name_no_single_pitfall(ctx: DrillContext) -> None:
    calls: list[int] = []

    def sometimes_any(r: Any, key: str, lon: float, lat: float, radius_m: float, k: int) -> Any:
        calls.append(k)
        if len(calls) == 1:
            return prox.nearest(r, key, lon, lat, radius_m, k + 1)
        return prox.naive_nearest(r, key, lon, lat, radius_m, k)

    result = checks.k_nearest.run(ctx, variant(prox, nearest=sometimes_any))
    _fails(result, NO_KNOWN_PITFALL)
    assert result.message.startswith("query 1: returned 6 places, want 5; query 2: 5 of 5 are not among")


# --- round trips --------------------------------------------------------------------------------


def test_one_geoadd_per_place_fails_one_round_trip(ctx: DrillContext) -> None:
    def one_by_one(r: Any, key: str, places: list[Any]) -> int:
        return sum(int(r.geoadd(key, [lon, lat, member])) for member, lon, lat in places)

    result = checks.one_round_trip.run(ctx, variant(prox, add_places=one_by_one))
    _fails(result, "one GEOADD per place, or positions fetched one by one: send the batch in one command")
    assert result.message == "add_places took 50 round trips"
    assert result.measured == {"trips_add_places": 50, "trips_nearby": 1, "trips_nearest": 1}


def _one_by_one_distances(search: Any) -> Any:
    """A search that asks for the members, then GEODIST for each: one round trip per hit more."""

    def fetch(r: Any, key: str, lon: float, lat: float, *rest: Any) -> list[tuple[str, float]]:
        names = [m for m, _ in search(r, key, lon, lat, *rest)]
        r.geoadd(key, [lon, lat, "centre"])
        hits = [(m, float(r.geodist(key, "centre", m))) for m in names]
        r.zrem(key, "centre")
        return hits

    return fetch


def test_distances_fetched_one_by_one_fail_one_round_trip(ctx: DrillContext) -> None:
    result = checks.one_round_trip.run(ctx, variant(prox, nearby=_one_by_one_distances(prox.nearby)))
    assert (result.status, result.message) == ("fail", "nearby took 4 round trips")
    assert result.measured == {"trips_add_places": 1, "trips_nearby": 4, "trips_nearest": 1}


def _widening(r: Any, key: str, lon: float, lat: float, radius_m: float, k: int) -> list[tuple[str, float]]:
    """A nearest that starts small and doubles the radius until it has k: one search per try."""
    tried = radius_m / 16
    while True:
        hits = prox.nearest(r, key, lon, lat, min(tried, radius_m), k)
        if len(hits) >= k or tried >= radius_m:
            return hits
        tried *= 2


def test_a_widening_search_fails_one_round_trip(ctx: DrillContext) -> None:
    result = checks.one_round_trip.run(ctx, variant(prox, nearest=_widening))
    assert result.status == "fail"
    assert result.message == "nearest took 5 round trips"


# --- what the checks index and ask --------------------------------------------------------------


@pytest.mark.parametrize(
    ("check", "label", "count", "prefix"),
    [
        (checks.radius_recall, "recall", 1200, "poi"),
        (checks.order, "order", 300, "cafe"),
        (checks.k_nearest, "nearest", 400, "shop"),
        (checks.one_round_trip, "trips", 50, "poi"),
    ],
    ids=lambda v: getattr(v, "id", None) or str(v),
)
def test_each_check_indexes_the_places_its_seed_gives(
    ctx: DrillContext, check: Any, label: str, count: int, prefix: str
) -> None:
    """The same seed, the same places: a run is reproducible (``drill run --seed``)."""
    indexed: list[list[Any]] = []

    def add_places(r: Any, key: str, places: list[Any]) -> int:
        indexed.append(list(places))
        return prox.add_places(r, key, places)

    assert check.run(ctx, variant(prox, add_places=add_places)).status == "pass"
    assert indexed == [checks_places.seeded_places(ctx.fork_rng(label), count, prefix=prefix)]


def test_a_passing_recall_check_searches_once_per_query(ctx: DrillContext) -> None:
    centres: list[tuple[float, float]] = []

    def nearby(r: Any, key: str, lon: float, lat: float, radius_m: float) -> Any:
        centres.append((lon, lat))
        return prox.nearby(r, key, lon, lat, radius_m)

    assert checks.radius_recall.run(ctx, variant(prox, nearby=nearby)).status == "pass"
    assert len(centres) == 12


# --- boundaries ---------------------------------------------------------------------------------


def test_latitude_first_fails_moves_as_swapped(ctx: DrillContext) -> None:
    result = checks.moves.run(ctx, variant(prox, add_places=prox.naive_add_places))
    _fails(result, checks.SWAPPED)
    assert result.message == (
        "add_places returned 3 then 1 (want 3 then 1); bus:1 is 4,331.4 km from where it moved (GEOPOS)"
    )


def test_compare_counts_a_place_exactly_at_the_tolerance_as_inside_and_not_extra() -> None:
    place = _north("a", 300.25)
    truth = geohash.distance_m(CENTRE, place[1:])
    inside_radius = truth + checks.TOLERANCE_M
    assert inside_radius - checks.TOLERANCE_M == truth  # the premise: exactly at the boundary
    assert checks_places.compare([place], CENTRE, inside_radius, []).expected == 1
    outside_radius = truth - checks.TOLERANCE_M
    assert outside_radius + checks.TOLERANCE_M == truth
    assert checks_places.compare([place], CENTRE, outside_radius, [("a", truth)]).extra == 0


def test_distances_exactly_the_tolerance_off_pass_recall(ctx: DrillContext) -> None:
    where = {m: (lon, lat) for m, lon, lat in checks_places.seeded_places(ctx.fork_rng("recall"), 1200)}
    diffs: list[float] = []

    def nearby(r: Any, key: str, lon: float, lat: float, radius_m: float) -> Any:
        hits = []
        for m, _ in prox.nearby(r, key, lon, lat, radius_m):
            truth = geohash.distance_m((lon, lat), where[m])
            d = truth + checks.TOLERANCE_M
            while abs(d - truth) > checks.TOLERANCE_M:
                d = math.nextafter(d, 0.0)
            diffs.append(abs(d - truth))
            hits.append((m, d))
        return hits

    result = _recall(ctx, nearby=nearby)
    assert max(diffs) == checks.TOLERANCE_M  # the premise: some distance is exactly 2 m off
    assert (result.status, result.measured["max_diff_m"]) == ("pass", 2.0)


def test_hits_that_are_not_pairs_fail_order_and_k_nearest_naming_the_function(ctx: DrillContext) -> None:
    names_only = variant(
        prox, nearest=lambda r, key, lon, lat, rad, k: [m for m, _ in prox.nearest(r, key, lon, lat, rad, k)]
    )
    result = checks.k_nearest.run(ctx, names_only)
    _fails(result, NO_KNOWN_PITFALL)
    assert result.message.startswith("nearest returned ['shop:")
    assert result.message.endswith("; want a list of (member, number) pairs")
    result = checks.order.run(ctx, variant(prox, nearby=lambda *a: [m for m, _ in prox.nearby(*a)]))
    assert result.message.startswith("nearby returned ['cafe:")


def test_a_nearby_that_answers_differently_when_asked_again_fails_recall(ctx: DrillContext) -> None:
    """The pitfall is read from one more search: what it returns is checked like the others."""
    calls: list[int] = []

    def nearby(r: Any, key: str, lon: float, lat: float, radius_m: float) -> Any:
        calls.append(1)
        return "tired" if len(calls) > 12 else prox.nearby(r, key, lon, lat, radius_m)[1:]

    result = _recall(ctx, nearby=nearby)
    _fails(result, NO_KNOWN_PITFALL)
    assert result.message == "nearby returned 'tired'; want a list of (member, number) pairs"


def test_a_hit_the_set_does_not_hold_is_extra_with_no_known_pitfall(ctx: DrillContext) -> None:
    result = _recall(ctx, nearby=lambda *a: [*prox.nearby(*a), ("ghost", 5.0)])
    _fails(result, NO_KNOWN_PITFALL)
    assert (result.measured["found"], result.measured["extra"]) == (153, 12)


def test_distances_in_miles_are_not_called_kilometres(ctx: DrillContext) -> None:
    result = _recall(ctx, nearby=_search("ASC", radius=lambda r: r / 1609.344, unit="mi"))
    _fails(result, NO_KNOWN_PITFALL)
    assert (result.measured["found"], result.measured["extra"]) == (153, 0)


def test_hits_more_than_ten_radii_away_blame_a_radius_in_kilometres(ctx: DrillContext) -> None:
    result = _recall(ctx, nearby=_search("ASC", radius=lambda r: r * 10.8))
    _fails(result, checks.RADIUS_KM)


def test_two_heavy_operations_are_both_listed(ctx: DrillContext) -> None:
    def one_by_one(r: Any, key: str, places: list[Any]) -> int:
        return sum(int(r.geoadd(key, [lon, lat, member])) for member, lon, lat in places)

    result = checks.one_round_trip.run(ctx, variant(prox, add_places=one_by_one, nearest=_widening))
    assert result.message == "add_places took 50 round trips, nearest took 5 round trips"


def test_latitude_first_and_off_by_more_than_a_metre_is_not_called_swapped_in_moves(
    ctx: DrillContext,
) -> None:
    def swapped_and_off(r: Any, key: str, places: list[Any]) -> int:
        return prox.naive_add_places(r, key, [(m, lon, lat + 1.5 / M_PER_DEG) for m, lon, lat in places])

    _fails(checks.moves.run(ctx, variant(prox, add_places=swapped_and_off)), NOT_MOVED)


def test_the_round_trip_measurements_add_no_row_to_the_drills_cost_table(ctx: DrillContext) -> None:
    """The drill's cost table leaves out the checks' own measurements (labelled "check:...")."""
    result = checks.one_round_trip.run(ctx, prox)
    assert result.status == "pass"
    assert operation_costs(ctx.tracer) == ()
