"""The embedded backend keeps geo scores as Redis does, and the patch goes away when fakeredis has it."""

from __future__ import annotations

from redisprep import fakegeo
from redisprep.backends import connect


def test_embedded_geo_scores_are_the_52_bit_integer_redis_returns() -> None:
    backend = connect(None)
    r = backend.client()
    r.geoadd("g", (13.361389, 38.115556, "palermo", 15.087269, 37.502669, "catania"))
    assert r.zscore("g", "palermo") == 3479099956230698.0  # the GEOADD docs' value on Redis 7
    assert r.geohash("g", "palermo", "catania") == ["sqc8b49rny0", "sqdtr74hyu0"]
    assert abs(float(r.geodist("g", "palermo", "catania")) - 166274.1516) < 0.01
    assert r.zrangebyscore("g", 3479099956230698, 3479099956230698) == ["palermo"]
    backend.close()


def test_the_patch_is_applied_only_while_fakeredis_stores_text() -> None:
    connect(None).close()
    # Once installed (or once fakeredis ships the fix) the probe sees numbers, so nothing is patched twice.
    assert not fakegeo.scores_are_text()
