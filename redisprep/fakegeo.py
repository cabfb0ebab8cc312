"""Make the embedded fakeredis answer geo commands as Redis does: numeric scores, unsorted replies.

Two differences, each probed on a scratch fakeredis and patched only while it is there:

- fakeredis (up to at least 2.41) keeps a geohash *string* as the sorted-set score of a geo member,
  so ``ZSCORE`` and ``ZRANGE ... WITHSCORES`` on a geo key answer with text where Redis answers with
  the 52-bit interleaved integer (a double), and a correct nine-cell geohash scan (score ranges with
  ``ZRANGEBYSCORE``) breaks on the embedded backend only.
- fakeredis sorts every GEOSEARCH/GEORADIUS reply by distance. Redis sorts only when asked (ASC,
  DESC) or when COUNT without ANY needs the nearest N (geo.c forces ASC then); otherwise the reply
  comes in the order the geohash cells were scanned. Code that forgets ASC and relies on the order
  passes on fakeredis and fails on Redis. Patched, an unsorted reply comes in score (geohash) order:
  not Redis's cell-by-cell order, but, like it, not by distance.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
import sys
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
def install() -> tuple[bool, bool]:
    """Patch fakeredis's geo commands where the probes say it must (once per process).

    Returns:
        Whether numeric scores, and whether unsorted replies, were patched in.
    """
    return _install_numeric_scores(), _install_unsorted_replies()


def sorts_unasked() -> bool:
    """Probe: does this fakeredis sort a GEOSEARCH reply by distance without ASC, DESC or COUNT?"""
    import fakeredis

    r = fakeredis.FakeRedis(server=fakeredis.FakeServer(), decode_responses=True)
    # On the equator: score (geohash) order is west to east (mid, near, far), distance order from
    # the centre is near, mid, far; a reply in distance order was sorted.
    r.geoadd("probe", (0.01, 0.0, "near", -0.02, 0.0, "mid", 0.04, 0.0, "far"))
    reply = r.geosearch("probe", longitude=0.0, latitude=0.0, radius=50, unit="km")
    return bool(reply == ["near", "mid", "far"] != r.zrange("probe", 0, -1))


#: Whether the geo command being run asked for an order (ASC or DESC among its options).
_ASKED: contextvars.ContextVar[bool] = contextvars.ContextVar("redisprep_geo_asked", default=False)
#: The option that takes the next argument as a member name, which may be spelled like an option.
_NAMES_NEXT = {b"FROMMEMBER"}
_GEO_QUERIES = (
    "georadius",
    "georadius_ro",
    "georadiusbymember",
    "georadiusbymember_ro",
    "geosearch",
    "geosearchstore",
)


def _asks_order(args: tuple[Any, ...]) -> bool:
    skip = False
    for arg in args:
        token = arg.upper() if isinstance(arg, bytes) else b""
        if not skip and token in (b"ASC", b"DESC"):
            return True
        skip = token in _NAMES_NEXT
    return False


def _install_unsorted_replies() -> bool:
    if not sorts_unasked():
        return False
    from fakeredis.commands_mixins import geo_mixin

    find_near = geo_mixin._find_near

    def unsorted_unless_asked(*args: Any, **kwargs: Any) -> Any:
        count, count_any, desc = args[5:8]
        needs_nearest = count < sys.maxsize and not count_any  # geo.c: COUNT without ANY forces ASC
        kwargs["sort"] = bool(_ASKED.get() or desc or needs_nearest)
        return find_near(*args, **kwargs)

    def noting_the_order(method: Any) -> Any:
        # The key, member, centre and radius come first, as fixed parameters: only what follows
        # them are options (a member may be called "ASC").
        params = inspect.signature(method).parameters.values()
        fixed = sum(p.kind is p.POSITIONAL_OR_KEYWORD for p in params) - 1  # not self

        @functools.wraps(method)
        def query(self: Any, *args: Any) -> Any:
            token = _ASKED.set(_asks_order(args[fixed:]))
            try:
                return method(self, *args)
            finally:
                _ASKED.reset(token)

        return query

    for name in _GEO_QUERIES:
        method = geo_mixin.GeoCommandsMixin.__dict__.get(name)
        if method is not None:
            setattr(geo_mixin.GeoCommandsMixin, name, noting_the_order(method))
    geo_mixin._find_near = unsorted_unless_asked
    return True


def _install_numeric_scores() -> bool:
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
