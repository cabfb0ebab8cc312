"""Judge "drivers near me": the drivers a search returns against a brute-force great-circle scan."""

from __future__ import annotations

import math
import random

from redisprep.interview.judges._common import Judge, Outcomes, errors_in, flatten
from redisprep.interview.runner import Bench

DRIVERS, RADIUS_KM = 300, 3.0
CENTER = (13.3614, 38.1156)
#: The earth radius Redis's geo commands use (src/geohash_helper.c).
EARTH_M = 6372797.560856


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (lon, lat) points, as Redis computes it (haversine)."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_M * math.asin(math.sqrt(h))


def run(bench: Bench) -> Outcomes:
    rng = random.Random(19)
    where: dict[str, tuple[float, float]] = {}
    replies = []
    for i in range(DRIVERS + 80):  # the last 80 move drivers already placed
        driver = f"d{i % DRIVERS}"
        pos = (CENTER[0] + rng.uniform(-0.08, 0.08), CENTER[1] + rng.uniform(-0.06, 0.06))
        where[driver] = pos
        lon, lat = (f"{v:.6f}" for v in pos)
        replies.append(bench.call("update", {"driver": driver, "lon": lon, "lat": lat}))
    found_all = expected_all = 0
    far: list[str] = []
    for _ in range(5):
        here = (CENTER[0] + rng.uniform(-0.03, 0.03), CENTER[1] + rng.uniform(-0.03, 0.03))
        params = {
            "lon": f"{here[0]:.6f}",
            "lat": f"{here[1]:.6f}",
            "radius_km": str(RADIUS_KM),
            "radius_m": str(int(RADIUS_KM * 1000)),
        }
        got = {x for x in flatten(bench.call("near", params)) if x in where}
        truth = {d for d, p in where.items() if distance_m(here, p) <= RADIUS_KM * 1000}
        found_all += len(got & truth)
        expected_all += len(truth)
        far += [d for d in got - truth if distance_m(here, where[d]) > RADIUS_KM * 1000 * 1.005]
    recall = found_all / expected_all if expected_all else 0.0
    ok = recall >= 0.99 and not far
    why = f"recall {recall:.0%} of the {expected_all} drivers within {RADIUS_KM:g} km over 5 searches"
    why += f"; {len(far)} returned from beyond the radius" if far else ""
    return {"recall": (ok, why + ("" if ok else errors_in(replies)))}


JUDGE = Judge(
    "proximity",
    {"update": ("driver", "lon", "lat"), "near": ("lon", "lat", "radius_km", "radius_m")},
    {"update": "any (a driver's latest position)", "near": "the driver ids within the radius"},
    {"recall": "finds the drivers within the radius (recall >= 99%, none far outside)"},
    run,
)
