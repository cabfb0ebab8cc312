"""Redis's 52-bit geohash: the sorted-set score of a geo member, and the GEOHASH string, in Python.

Interface (what a practice solution implements):

- ``encode(lon, lat) -> int``: the 52-bit score Redis stores for a point (26 bits per axis,
  interleaved, longitude bit first; latitude over Redis's Web-Mercator range +-85.05112878).
- ``decode(score) -> tuple[float, float]``: the (lon, lat) centre of the score's cell, as ``GEOPOS``
  reports it.
- ``geohash_string(score) -> str``: the 11-character standard geohash ``GEOHASH`` returns (latitude
  over +-90, so its bits differ from the score's).

Redis 7.0 computes these in ``src/geohash.c`` and ``src/geo.c``; the arithmetic here follows the
same steps in the same order so that the results are bit-for-bit equal. Pure functions, no I/O.
"""

from __future__ import annotations

import math

STEP = 26
"""Bits per axis; 2 x 26 = 52 bits, exactly representable in a double (ZSET scores)."""
BITS = 2 * STEP
LON_MIN, LON_MAX = -180.0, 180.0
LAT_MIN, LAT_MAX = -85.05112878, 85.05112878
"""Redis's latitude range for scores (Web Mercator); GEOADD refuses latitudes outside it."""
STD_LAT_MIN, STD_LAT_MAX = -90.0, 90.0
"""The standard geohash latitude range, used by GEOHASH strings."""
EARTH_RADIUS_M = 6372797.560856
"""The sphere Redis measures distances on (``src/geohash_helper.c``)."""
ALPHABET = "0123456789bcdefghjkmnpqrstuvwxyz"

LonLat = tuple[float, float]


def _spread(v: int) -> int:
    """Put the 32 bits of ``v`` on the even bit positions of a 64-bit value."""
    v &= 0xFFFFFFFF
    v = (v | (v << 16)) & 0x0000FFFF0000FFFF
    v = (v | (v << 8)) & 0x00FF00FF00FF00FF
    v = (v | (v << 4)) & 0x0F0F0F0F0F0F0F0F
    v = (v | (v << 2)) & 0x3333333333333333
    return (v | (v << 1)) & 0x5555555555555555


def _squash(v: int) -> int:
    """Inverse of :func:`_spread`: gather the even bits of ``v``."""
    v &= 0x5555555555555555
    v = (v | (v >> 1)) & 0x3333333333333333
    v = (v | (v >> 2)) & 0x0F0F0F0F0F0F0F0F
    v = (v | (v >> 4)) & 0x00FF00FF00FF00FF
    v = (v | (v >> 8)) & 0x0000FFFF0000FFFF
    return (v | (v >> 16)) & 0x00000000FFFFFFFF


def interleave(lat_bits: int, lon_bits: int) -> int:
    """Latitude bits on even positions, longitude bits on odd ones (so each pair starts with lon)."""
    return _spread(lat_bits) | (_spread(lon_bits) << 1)


def deinterleave(bits: int) -> tuple[int, int]:
    """(lat_bits, lon_bits) of an interleaved value."""
    return _squash(bits), _squash(bits >> 1)


def _encode(lon: float, lat: float, lat_min: float, lat_max: float) -> int:
    if not (LON_MIN <= lon <= LON_MAX and lat_min <= lat <= lat_max):
        raise ValueError(f"invalid longitude,latitude pair {lon:f},{lat:f}")
    lat_offset = (lat - lat_min) / (lat_max - lat_min) * (1 << STEP)
    lon_offset = (lon - LON_MIN) / (LON_MAX - LON_MIN) * (1 << STEP)
    # C converts the doubles to uint32_t (truncation); the top edge would overflow 26 bits.
    return interleave(min(int(lat_offset), (1 << STEP) - 1), min(int(lon_offset), (1 << STEP) - 1))


def encode(lon: float, lat: float) -> int:
    """The 52-bit score ``GEOADD`` stores for (lon, lat).

    Raises:
        ValueError: The pair is outside longitude +-180 / latitude +-85.05112878 (Redis refuses it too).
    """
    return _encode(lon, lat, LAT_MIN, LAT_MAX)


def cell(score: int) -> tuple[LonLat, LonLat]:
    """The (lon, lat) corners, south-west then north-east, of the cell a score stands for."""
    ilat, ilon = deinterleave(int(score))
    lat_scale = LAT_MAX - LAT_MIN
    lon_scale = LON_MAX - LON_MIN
    lat_lo = LAT_MIN + (ilat * 1.0 / (1 << STEP)) * lat_scale
    lat_hi = LAT_MIN + ((ilat + 1) * 1.0 / (1 << STEP)) * lat_scale
    lon_lo = LON_MIN + (ilon * 1.0 / (1 << STEP)) * lon_scale
    lon_hi = LON_MIN + ((ilon + 1) * 1.0 / (1 << STEP)) * lon_scale
    return (lon_lo, lat_lo), (lon_hi, lat_hi)


def decode(score: int) -> LonLat:
    """The centre of the score's cell, clamped to the valid range: what ``GEOPOS`` returns."""
    (lon_lo, lat_lo), (lon_hi, lat_hi) = cell(score)
    lon = min(max((lon_lo + lon_hi) / 2, LON_MIN), LON_MAX)
    lat = min(max((lat_lo + lat_hi) / 2, LAT_MIN), LAT_MAX)
    return lon, lat


def base32(bits: int) -> str:
    """52 bits as geohash base32: 10 characters of 5 bits, plus an 11th that is always ``0``."""
    return "".join(ALPHABET[(bits >> (BITS - (i + 1) * 5)) & 0x1F] for i in range(10)) + "0"


def geohash_string(score: int) -> str:
    """The 11-character string ``GEOHASH`` returns for a member with this score.

    Redis decodes the score, re-encodes the centre with the standard +-90 latitude range and prints
    the 52 bits in base32 (:func:`base32`).
    """
    lon, lat = decode(score)
    return base32(_encode(lon, lat, STD_LAT_MIN, STD_LAT_MAX))


def string_cell(text: str) -> tuple[LonLat, LonLat]:
    """The (lon, lat) corners of the cell a standard geohash string (any length) stands for."""
    lon_lo, lon_hi, lat_lo, lat_hi = LON_MIN, LON_MAX, STD_LAT_MIN, STD_LAT_MAX
    is_lon = True
    for char in text.lower():
        value = ALPHABET.index(char)
        for shift in range(4, -1, -1):
            bit = (value >> shift) & 1
            if is_lon:
                mid = (lon_lo + lon_hi) / 2
                lon_lo, lon_hi = (mid, lon_hi) if bit else (lon_lo, mid)
            else:
                mid = (lat_lo + lat_hi) / 2
                lat_lo, lat_hi = (mid, lat_hi) if bit else (lat_lo, mid)
            is_lon = not is_lon
    return (lon_lo, lat_lo), (lon_hi, lat_hi)


def string_center(text: str) -> LonLat:
    """The centre of a standard geohash string's cell."""
    (lon_lo, lat_lo), (lon_hi, lat_hi) = string_cell(text)
    return (lon_lo + lon_hi) / 2, (lat_lo + lat_hi) / 2


def prefix(lon: float, lat: float, length: int) -> str:
    """The first ``length`` characters of the standard geohash of (lon, lat) (±90 latitude)."""
    return base32(_encode(lon, lat, STD_LAT_MIN, STD_LAT_MAX))[: min(length, 10)]


def distance_m(a: LonLat, b: LonLat) -> float:
    """Great-circle distance in metres with the haversine formula on Redis's sphere."""
    lon1, lat1, lon2, lat2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    u = math.sin((lat2 - lat1) / 2)
    v = math.sin((lon2 - lon1) / 2)
    return 2.0 * EARTH_RADIUS_M * math.asin(math.sqrt(u * u + math.cos(lat1) * math.cos(lat2) * v * v))


# --- naive variant, kept to show how it fails ---------------------------------------------------


def naive_encode(lon: float, lat: float) -> int:
    """The standard geohash bits (latitude over +-90) used as the score: not what Redis stores."""
    return _encode(lon, lat, STD_LAT_MIN, STD_LAT_MAX)
