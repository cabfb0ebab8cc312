"""Proximity search on a geo set: the reference implementation, plus the naive variants drills contrast.

Interface (what a practice solution implements; ``r`` is a ``redis.Redis`` client; a place is
``(member, longitude, latitude)`` and a hit is ``(member, distance in metres)``):

- ``add_places(r, key, places) -> int``: index the places (add or move); returns how many were new.
- ``nearby(r, key, lon, lat, radius_m) -> list[tuple[str, float]]``: every place within
  ``radius_m`` of (lon, lat), nearest first.
- ``nearest(r, key, lon, lat, radius_m, k) -> list[tuple[str, float]]``: the ``k`` nearest places
  within ``radius_m``, nearest first.

Every function costs one round trip. ``in_box`` (``GEOSEARCH ... BYBOX``) is here too, but it is not
part of the interface: not every server offers BYBOX (the drill probes it). ``box_filter`` is the
client-side equivalent used where the server refuses it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from redisprep import geohash

Place = tuple[str, float, float]
Hit = tuple[str, float]

#: Geohash characters of the naive grid's cells: 5 characters are 25 bits, cells of about
#: 4.9 x 4.9 km at the equator (3.6 km wide at Rome's latitude).
GRID_PREFIX = 5


def _hits(reply: Iterable[Any]) -> list[Hit]:
    return [(str(m), float(d)) for m, d in reply]


def _geoadd_args(places: Sequence[Place], *, lat_first: bool = False) -> list[Any]:
    args: list[Any] = []
    for member, lon, lat in places:
        args += [lat, lon, member] if lat_first else [lon, lat, member]
    return args


def add_places(r: Any, key: str, places: Sequence[Place]) -> int:
    """GEOADD key lon lat member [lon lat member ...]: longitude first, O(log(N)) per place."""
    return int(r.execute_command("GEOADD", key, *_geoadd_args(places)))


def nearby(r: Any, key: str, lon: float, lat: float, radius_m: float) -> list[Hit]:
    """GEOSEARCH FROMLONLAT BYRADIUS ... ASC WITHDIST: O(N+log(M)), N = members in the scanned cells."""
    reply = r.execute_command(
        "GEOSEARCH", key, "FROMLONLAT", lon, lat, "BYRADIUS", radius_m, "m", "ASC", "WITHDIST"
    )
    return _hits(reply)


def nearest(r: Any, key: str, lon: float, lat: float, radius_m: float, k: int) -> list[Hit]:
    """GEOSEARCH ... ASC COUNT k WITHDIST: the server sorts every match, then returns the first k."""
    reply = r.execute_command(
        "GEOSEARCH", key, "FROMLONLAT", lon, lat, "BYRADIUS", radius_m, "m", "ASC", "COUNT", k, "WITHDIST"
    )
    return _hits(reply)


def in_box(r: Any, key: str, lon: float, lat: float, width_m: float, height_m: float) -> list[Hit]:
    """GEOSEARCH FROMLONLAT BYBOX width height m ASC WITHDIST (a map viewport). Redis only."""
    reply = r.execute_command(
        "GEOSEARCH", key, "FROMLONLAT", lon, lat, "BYBOX", width_m, height_m, "m", "ASC", "WITHDIST"
    )
    return _hits(reply)


def box_filter(r: Any, key: str, lon: float, lat: float, width_m: float, height_m: float) -> list[Hit]:
    """The same answer as :func:`in_box` without BYBOX: a BYRADIUS superset, filtered in the app.

    The circle through the box's corners (radius = half the diagonal) holds the whole box; a hit is
    kept when its north-south distance is within half the height and its east-west distance, measured
    along its own parallel, within half the width (Redis's rule in ``geohashGetDistanceIfInRectangle``).
    """
    radius = math.hypot(width_m, height_m) / 2
    reply = r.execute_command(
        "GEOSEARCH", key, "FROMLONLAT", lon, lat, "BYRADIUS", radius, "m", "ASC", "WITHDIST", "WITHCOORD"
    )
    hits = []
    for member, dist, (p_lon, p_lat) in reply:
        p_lon, p_lat = float(p_lon), float(p_lat)
        north_south = geohash.distance_m((lon, lat), (lon, p_lat))
        east_west = geohash.distance_m((lon, p_lat), (p_lon, p_lat))
        if north_south <= height_m / 2 and east_west <= width_m / 2:
            hits.append((str(member), float(dist)))
    return hits


# --- naive variants, kept to show how they fail -------------------------------------------------


def naive_add_places(r: Any, key: str, places: Sequence[Place]) -> int:
    """GEOADD with latitude first: refused when the latitude is beyond +-85, silently wrong otherwise."""
    return int(r.execute_command("GEOADD", key, *_geoadd_args(places, lat_first=True)))


def naive_nearest(r: Any, key: str, lon: float, lat: float, radius_m: float, k: int) -> list[Hit]:
    """COUNT k ANY: stops at the first k matches it meets, which need not be the nearest."""
    reply = r.execute_command(
        "GEOSEARCH",
        key,
        "FROMLONLAT",
        lon,
        lat,
        "BYRADIUS",
        radius_m,
        "m",
        "ASC",
        "COUNT",
        k,
        "ANY",
        "WITHDIST",
    )
    return _hits(reply)


def grid_cell_key(key: str, cell: str) -> str:
    """The naive grid's bucket for one geohash cell (shares ``key``'s hash tag)."""
    return f"{key}:cell:{cell}"


def naive_grid_add_places(r: Any, key: str, places: Sequence[Place]) -> int:
    """GEOADD, plus a hand-made grid: one hash per geohash prefix, member -> "lon,lat" (one pipeline)."""
    pipe = r.pipeline(transaction=False)
    pipe.execute_command("GEOADD", key, *_geoadd_args(places))
    for member, lon, lat in places:
        pipe.hset(grid_cell_key(key, geohash.prefix(lon, lat, GRID_PREFIX)), member, f"{lon!r},{lat!r}")
    return int(pipe.execute()[0])


def naive_grid_nearby(r: Any, key: str, lon: float, lat: float, radius_m: float) -> list[Hit]:
    """Search only the cell whose geohash prefix the centre shares: misses neighbours across its border."""
    bucket = r.hgetall(grid_cell_key(key, geohash.prefix(lon, lat, GRID_PREFIX)))
    hits = []
    for member, text in bucket.items():
        p_lon, p_lat = (float(v) for v in str(text).split(","))
        d = geohash.distance_m((lon, lat), (p_lon, p_lat))
        if d <= radius_m:
            hits.append((str(member), d))
    return sorted(hits, key=lambda h: (h[1], h[0]))
