"""Make the embedded fakeredis store a geo member's score as Redis does: the 52-bit integer, not text.

fakeredis (up to at least 2.41) keeps a geohash *string* as the sorted-set score of a geo member, so
``ZSCORE`` and ``ZRANGE ... WITHSCORES`` on a geo key answer with text where Redis answers with the
52-bit interleaved integer (a double), and a correct nine-cell geohash scan (score ranges with
``ZRANGEBYSCORE``) breaks on the embedded backend only. :func:`install` probes a scratch fakeredis
first and changes nothing once a fakeredis release stores numbers itself.
"""

from __future__ import annotations

import functools
from typing import Any

from redisprep import geohash


def scores_are_text() -> bool:
    """Probe: does this fakeredis answer ZSCORE on a geo member with something that is not a number?"""
    import fakeredis

    r = fakeredis.FakeRedis(server=fakeredis.FakeServer(), decode_responses=True)
    r.geoadd("probe", (13.361389, 38.115556, "palermo"))
    try:
        raw = r.zscore("probe", "palermo")
    except ValueError:  # redis-py's float() of fakeredis's text
        return True
    return not isinstance(raw, int | float)


@functools.cache
def install() -> bool:
    """Patch fakeredis's geo commands to keep Redis's numeric scores, where the probe says it must.

    Returns:
        True when the patch was applied, False when this fakeredis already stores numbers.
    """
    if not scores_are_text():
        return False
    from fakeredis import geo
    from fakeredis.commands_mixins import geo_mixin

    text_decode = geo.geo_decode
    text_encode = geo.geo_encode

    def encode(lat: float, lon: float, _precision: int = 12) -> float:  # fakeredis passes one; Redis has none
        return float(geohash.encode(lon, lat))

    def decode(score: Any) -> tuple[float, float, float, float]:
        if isinstance(score, str | bytes):
            return text_decode(score if isinstance(score, str) else score.decode())  # type: ignore[no-any-return]
        lon, lat = geohash.decode(int(score))
        return lat, lon, 0.0, 0.0

    def geohash_command(self: Any, key: Any, *members: bytes) -> list[bytes | None]:
        scores = map(key.value.get, members)
        return [None if s is None else _text(s, text_encode) for s in scores]

    geo_mixin.geo_encode = encode
    geo_mixin.geo_decode = decode
    geo_mixin.GeoCommandsMixin.geohash = geohash_command
    return True


def _text(score: Any, text_encode: Any) -> bytes:
    if isinstance(score, str | bytes):
        return (score if isinstance(score, bytes) else score.encode()) + b"0"
    return geohash.geohash_string(int(score)).encode()
