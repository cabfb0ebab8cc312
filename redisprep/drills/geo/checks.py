"""Checks of the geo drill; each runs against any implementation of the geohash interface."""

from __future__ import annotations

import math
import random
from typing import Any

from redisprep.drills._geo import member_score
from redisprep.drills.check_helpers import Verdict, check, verdict
from redisprep.drills.context import DrillContext
from redisprep.geohash import distance_m, string_center

#: Scores and GEOHASH strings read from Redis 7.0.15 (GEOADD, then ZSCORE and GEOHASH), so the
#: checks have ground truth on the embedded backend too, whose ZSCORE cannot give it.
KNOWN = (
    ("palermo", 13.361389, 38.115556, 3479099956230698, "sqc8b49rny0"),
    ("catania", 15.087269, 37.502669, 3479447370796909, "sqdtr74hyu0"),
    ("sydney", 151.2093, -33.8688, 3252046221964352, "r3gx2f77bj0"),
    ("buenos-aires", -58.3816, -34.6037, 887133777343301, "69y7pkxff40"),
    ("north-east", 0.0000005, 0.0000005, 3377699720527872, "s0000000000"),
    ("south-west", -0.0000005, -0.0000005, 1125899906842623, "7zzzzzzzzz0"),
)
SAMPLE = 40
#: fakeredis stores a 50-bit standard geohash, about 0.7 m coarse; Redis's own cells are 0.3 m.
EMBEDDED_TOLERANCE_M = 1.5


def seeded_points(rng: random.Random, count: int) -> list[tuple[str, float, float]]:
    """Points all over the valid range (longitude +-180, latitude +-85)."""
    return [
        (f"pt:{i:03d}", round(rng.uniform(-180, 180), 6), round(rng.uniform(-85, 85), 6))
        for i in range(count)
    ]


def _load(ctx: DrillContext, key: str, points: list[tuple[str, float, float]]) -> None:
    args: list[Any] = []
    for member, lon, lat in points:
        args += [lon, lat, member]
    ctx.r.delete(key)
    ctx.r.execute_command("GEOADD", key, *args)


@check("geo.score", "the 52-bit score encodes and decodes a position")
def score(ctx: DrillContext, impl: Any) -> Verdict:
    """``encode`` equals Redis's score; ``decode`` gives back the position within a cell."""
    key = ctx.key("geo", "{scores}")
    points = seeded_points(ctx.fork_rng("scores"), SAMPLE)
    _load(ctx, key, points)
    problems = []
    for name, lon, lat, want, _ in KNOWN:
        got = int(impl.encode(lon, lat))
        if got != want:
            problems.append(f"{name}: encode gave {got}, Redis 7.0 stores {want}")
    worst = 0.0
    read = 0
    positions = ctx.r.geopos(key, *(p[0] for p in points))
    for (member, lon, lat), pos in zip(points, positions, strict=True):
        value = int(impl.encode(lon, lat))
        server = member_score(ctx.r, key, member, lon, lat)
        back = impl.decode(value)
        worst = max(worst, distance_m((lon, lat), (float(back[0]), float(back[1]))))
        if server.read:
            read += 1
            if value != server.value:
                problems.append(f"{member}: encode gave {value}, ZSCORE says {server.value}")
        tolerance = 0.01 if server.read else EMBEDDED_TOLERANCE_M
        off = distance_m((float(back[0]), float(back[1])), (float(pos[0]), float(pos[1])))
        if off > tolerance:
            problems.append(f"{member}: decode is {off:.2f} m from GEOPOS")
        if not 0 <= value < 2**52:
            problems.append(f"{member}: {value} does not fit in 52 bits")
    if worst > 0.5:
        problems.append(f"decode(encode(p)) lands {worst:.2f} m from p (a cell is about 0.6 x 0.3 m)")
    source = (
        f"{read} scores read with ZSCORE" if read else "ZSCORE gives no number here; known Redis 7.0 scores"
    )
    return verdict(
        not problems,
        f"{len(KNOWN)} known scores and {SAMPLE} random points agree ({source}); round trip "
        f"within {worst:.2f} m"
        if not problems
        else "; ".join(problems[:3]),
        pitfall="the score is not the standard geohash: latitude spans +-85.05112878 (not +-90), "
        "26 bits per axis, longitude bit first",
        worst_m=round(worst, 3),
        scores_read=read,
    )


@check("geo.geohash_string", "GEOHASH strings come from the score")
def geohash_string(ctx: DrillContext, impl: Any) -> Verdict:
    """``geohash_string(score)`` is what ``GEOHASH`` returns: exactly on Redis, within a cell on fakeredis."""
    key = ctx.key("geo", "{strings}")
    points = seeded_points(ctx.fork_rng("strings"), SAMPLE)
    _load(ctx, key, points)
    problems = []
    for name, _lon, _lat, value, want in KNOWN:
        got = impl.geohash_string(value)
        if got != want:
            problems.append(f"{name}: got {got!r}, Redis 7.0 says {want!r}")
    replies = ctx.r.geohash(key, *(p[0] for p in points))
    exact = 0
    worst = 0.0
    for (member, lon, lat), reply in zip(points, replies, strict=True):
        server = member_score(ctx.r, key, member, lon, lat)
        got = str(impl.geohash_string(server.value))
        if len(got) != 11:
            problems.append(f"{member}: {got!r} is not 11 characters")
            continue
        exact += got == reply
        apart = distance_m(string_center(got), string_center(str(reply)))
        worst = max(worst, apart)
        if server.read and got != reply:
            problems.append(f"{member}: got {got!r}, GEOHASH says {reply!r}")
        elif apart > EMBEDDED_TOLERANCE_M:
            problems.append(f"{member}: {got!r} and GEOHASH {reply!r} are {apart:.1f} m apart")
    agree = (
        f"all {SAMPLE} equal to GEOHASH"
        if exact == SAMPLE
        else f"{exact} of {SAMPLE} equal to GEOHASH, the rest within {worst:.2f} m"
    )
    return verdict(
        not problems,
        f"{len(KNOWN)} known strings right; {agree}" if not problems else "; ".join(problems[:3]),
        pitfall="GEOHASH re-encodes the cell centre with the standard +-90 latitude range; the score's "
        "own bits, printed in base32, are a different string",
        exact=exact,
        worst_m=round(worst, 3) if math.isfinite(worst) else -1,
    )


CHECKS = (score, geohash_string)
