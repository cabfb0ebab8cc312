# pitfall: hits re-sorted by name after the search
# check: proximity.order
"""nearby asks for ASC, then sorts the hits again in Python, by member name."""

from redisprep.drills.proximity.reference import add_places, nearest  # noqa: F401


def nearby(r, key, lon, lat, radius_m):
    hits = r.geosearch(key, longitude=lon, latitude=lat, radius=radius_m, unit="m", sort="ASC", withdist=True)
    return sorted((member, float(dist)) for member, dist in hits)
