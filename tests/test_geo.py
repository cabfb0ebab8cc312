"""The geo drill and the geohash module: Redis's scores and strings, bit for bit, on both backends."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from server_facts import compact

from redisprep import geohash
from redisprep.backends import Backend
from redisprep.drills import run_drill
from redisprep.drills._geo import EMBEDDED_NOTE
from redisprep.drills.context import DrillContext
from redisprep.drills.geo import checks
from redisprep.drills.geo.steps import STANDARD_BITS

LONS = st.floats(min_value=-180, max_value=180, allow_nan=False)
LATS = st.floats(min_value=geohash.LAT_MIN, max_value=geohash.LAT_MAX, allow_nan=False)


def test_scores_are_read_on_redis_and_on_the_embedded_backend(ctx: DrillContext) -> None:
    """fakeredis keeps text scores; redisprep.fakegeo makes the embedded server answer as Redis."""
    result = checks.score.run(ctx, geohash)
    assert result.measured["scores_read"] == checks.SAMPLE


def test_geohash_strings_equal_redis_exactly_on_a_live_server(ctx: DrillContext) -> None:
    result = checks.geohash_string.run(ctx, geohash)
    if ctx.backend.is_simulated:
        # fakeredis hashes the input, not the stored cell: a few strings differ in a last character.
        assert float(result.measured["worst_m"] or 0) <= checks.EMBEDDED_TOLERANCE_M
    else:
        assert result.measured["exact"] == checks.SAMPLE


def test_standard_geohash_bits_are_not_the_score(ctx: DrillContext) -> None:
    result = checks.score.run(ctx, STANDARD_BITS)
    assert not result.passed
    assert "palermo: encode gave" in result.message
    assert "+-85.05112878" in (result.pitfall or "")


@pytest.mark.parametrize(
    ("name", "lon", "lat", "score", "text"), checks.KNOWN, ids=[k[0] for k in checks.KNOWN]
)
def test_known_redis_values(name: str, lon: float, lat: float, score: int, text: str) -> None:
    assert geohash.encode(lon, lat) == score
    assert geohash.geohash_string(score) == text


@given(LONS, LATS)
def test_decode_returns_the_centre_of_the_cell_holding_the_point(lon: float, lat: float) -> None:
    score = geohash.encode(lon, lat)
    assert 0 <= score < 2**52
    (lon_lo, lat_lo), (lon_hi, lat_hi) = geohash.cell(score)
    # Up to rounding: a latitude of -1e-56 computes the same offset as 0, as it does in Redis's C.
    eps = 1e-12
    assert lon_lo - eps <= lon <= lon_hi + eps and lat_lo - eps <= lat <= lat_hi + eps
    assert geohash.distance_m((lon, lat), geohash.decode(score)) < 0.35
    assert geohash.encode(*geohash.decode(score)) == score


@given(st.integers(0, 2**26 - 1), st.integers(0, 2**26 - 1))
def test_interleave_round_trips(lat_bits: int, lon_bits: int) -> None:
    assert geohash.deinterleave(geohash.interleave(lat_bits, lon_bits)) == (lat_bits, lon_bits)


def test_out_of_range_pairs_are_refused_like_geoadd() -> None:
    with pytest.raises(ValueError, match="invalid longitude,latitude pair"):
        geohash.encode(37.7749, -122.4194)
    with pytest.raises(ValueError):
        geohash.encode(0.0, 85.06)


def test_drill_reads_scores_on_every_backend(backend: Backend) -> None:
    report = run_drill("geo", backend, seed=1)
    assert report.ok
    narration = " ".join(p for s in report.steps for p in s.outcome.narration)
    assert EMBEDDED_NOTE not in narration  # the embedded scores are read too (redisprep.fakegeo)
    assert "redisprep drill proximity" in narration
    table = next(f for s in report.steps for f in s.outcome.figures if f.title == "score -> position")
    assert table.columns[1] == "score (ZSCORE)"
    assert [row[1] for row in table.rows] == [k[3] for k in checks.KNOWN[:4]]
    answers = dict(next(f for s in report.steps for f in s.outcome.figures if f.title == "one geo key").rows)
    assert answers["TYPE"] == "zset"
    assert str(answers["encoding"]).startswith(compact(backend.release))
    assert list(backend.client().scan_iter(match="redisprep:*")) == []
