"""The places the proximity checks search, and how a search's hits are compared with brute force."""

from __future__ import annotations

import random
from dataclasses import dataclass

from redisprep import geohash
from redisprep.drills.check_helpers import pairs

#: Distances are compared with this tolerance: Redis stores a position within about 0.3 m,
#: fakeredis (a 50-bit standard geohash) within about 0.7 m.
TOLERANCE_M = 2.0
POINTS = 1200
RADIUS_M = 1_000.0
#: Seeded points fill this box (about 16.6 x 16.7 km around central Rome).
CENTRE = (12.45, 41.90)
SPAN = (0.10, 0.075)
PALERMO_CATANIA_M = 166274.1516
"""GEODIST Sicily Palermo Catania on Redis 7.0 (the example of the GEODIST docs)."""
CITIES = (
    ("rome", 12.4964, 41.9028),
    ("palermo", 13.361389, 38.115556),
    ("catania", 15.087269, 37.502669),
    ("paris", 2.3522, 48.8566),
    ("london", -0.1276, 51.5072),
    ("nairobi", 36.8219, -1.2921),
)

Place = tuple[str, float, float]


def seeded_places(rng: random.Random, count: int, prefix: str = "poi") -> list[Place]:
    """``count`` places spread uniformly over the drill's box around Rome."""
    return [
        (
            f"{prefix}:{i:04d}",
            round(CENTRE[0] + rng.uniform(-SPAN[0], SPAN[0]), 6),
            round(CENTRE[1] + rng.uniform(-SPAN[1], SPAN[1]), 6),
        )
        for i in range(count)
    ]


def border_centres(rng: random.Random, count: int) -> list[tuple[float, float]]:
    """Query centres on the borders of geohash cells (corners and edge midpoints) inside the box."""
    centres = []
    for i in range(count):
        lon = CENTRE[0] + rng.uniform(-0.05, 0.05)
        lat = CENTRE[1] + rng.uniform(-0.04, 0.04)
        (lon_lo, lat_lo), (lon_hi, lat_hi) = geohash.string_cell(geohash.prefix(lon, lat, 5))
        corner = [(lon_lo, lat_lo), (lon_lo, (lat_lo + lat_hi) / 2), ((lon_lo + lon_hi) / 2, lat_hi)]
        centres.append(corner[i % 3])
    return centres


@dataclass(frozen=True, slots=True)
class Recall:
    """Search results compared with a brute-force haversine scan."""

    expected: int
    """Places certainly inside (brute-force distance <= radius - tolerance), summed over queries."""
    found: int
    """How many of those the search returned."""
    extra: int
    """Returned places certainly outside (brute-force distance > radius + tolerance)."""
    max_diff_m: float
    """Largest |reported distance - brute-force distance| over the returned places."""

    @property
    def recall(self) -> float:
        return 100.0 * self.found / self.expected if self.expected else 100.0


def compare(
    places: list[Place], centre: tuple[float, float], radius_m: float, hits: list[tuple[str, float]]
) -> Recall:
    """Compare one search's hits with the brute-force answer over ``places``."""
    truth = {m: geohash.distance_m(centre, (lon, lat)) for m, lon, lat in places}
    inside = {m for m, d in truth.items() if d <= radius_m - TOLERANCE_M}
    got = dict(pairs(hits, "nearby", "a list of (member, distance in metres) pairs"))
    diffs = [abs(d - truth[m]) for m, d in got.items() if m in truth]
    return Recall(
        expected=len(inside),
        found=len(inside & got.keys()),
        extra=sum(1 for m in got if truth.get(m, float("inf")) > radius_m + TOLERANCE_M),
        max_diff_m=max(diffs, default=0.0),
    )


BOX = (
    "a box search (BYBOX 2r x 2r) also returns its corners, up to r x 1.41 away: search BYRADIUS r "
    "for a radius"
)


def in_box(centre: tuple[float, float], point: tuple[float, float], half_side_m: float) -> bool:
    """Is ``point`` within ``half_side_m`` of ``centre`` both east-west and north-south (a square)?"""
    east_west = geohash.distance_m(centre, (point[0], centre[1]))
    north_south = geohash.distance_m(centre, (centre[0], point[1]))
    return east_west <= half_side_m + TOLERANCE_M and north_south <= half_side_m + TOLERANCE_M
