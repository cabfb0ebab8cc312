# pitfall: a box search (BYBOX 2r x 2r) also returns its corners
# check: proximity.radius_recall
"""nearby searches the square around the circle (BYBOX 2r x 2r): places in its corners come too."""

from redisprep.drills.proximity.reference import add_places, in_box, nearest  # noqa: F401


def nearby(r, key, lon, lat, radius_m):
    return in_box(r, key, lon, lat, 2 * radius_m, 2 * radius_m)
