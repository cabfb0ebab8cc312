"""Read a geo member's 52-bit score from the server, or compute it where the server cannot give it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from redisprep import geohash

EMBEDDED_NOTE = (
    "fakeredis stores a geohash string instead of the 52-bit integer, so on the embedded backend "
    "ZSCORE answers with text (like 'sqc8b49rny') where Redis answers with a number; the scores shown "
    "here are computed with redisprep.geohash and labelled 'computed'."
)


@dataclass(frozen=True, slots=True)
class Score:
    """A member's geo score and where it came from."""

    value: int
    read: bool
    """True when ZSCORE returned it; False when it was computed from the input coordinates."""
    raw: str
    """What ZSCORE replied, as text."""

    @property
    def source(self) -> str:
        return "ZSCORE" if self.read else "computed"


def member_score(r: Any, key: str, member: str, lon: float, lat: float) -> Score:
    """The member's score via ZSCORE when the reply is a number, else computed from (lon, lat)."""
    try:
        raw = r.execute_command("ZSCORE", key, member)
    except ValueError as exc:
        # redis-py's RESP2 reply parser calls float() on the score, which fakeredis's geohash
        # string is not ("could not convert string to float: 'sqc8b49rny'").
        text = str(exc).rpartition(": ")[2].strip("'")
        return Score(geohash.encode(lon, lat), False, text)
    # fakeredis's text may even consist of digits only, so never parse text as a score.
    if isinstance(raw, int | float):
        return Score(int(raw), True, repr(raw))
    return Score(geohash.encode(lon, lat), False, str(raw))
