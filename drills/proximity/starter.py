"""Proximity exercise: implement each function. `redisprep practice check proximity` grades it.

`r` is a redis-py client created with decode_responses=True; `key` is the geo index. A place is
(member, longitude, latitude); a hit is (member, distance in metres). One round trip per function.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

Place = tuple[str, float, float]
Hit = tuple[str, float]


def add_places(r: Any, key: str, places: Sequence[Place]) -> int:
    """Index (or move) every place in one command; return how many were new."""
    # TODO
    raise NotImplementedError("TODO: add_places")


def nearby(r: Any, key: str, lon: float, lat: float, radius_m: float) -> list[Hit]:
    """Every place within `radius_m` metres of (lon, lat), nearest first."""
    # TODO
    raise NotImplementedError("TODO: nearby")


def nearest(r: Any, key: str, lon: float, lat: float, radius_m: float, k: int) -> list[Hit]:
    """The k nearest places within `radius_m`, nearest first."""
    # TODO
    raise NotImplementedError("TODO: nearest")
