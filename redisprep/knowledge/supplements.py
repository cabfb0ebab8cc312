"""Deprecations that Redis 7.0.15's COMMAND DOCS does not carry but later Redis versions document.

The generated table (``commands.json``) is never edited by hand; these few facts are added on top,
each with where it comes from. Redis 7.2's command files (``src/commands/setnx.json`` and friends at
tag 7.2.0) mark SETNX, SETEX and PSETEX deprecated since 2.6.12; redis.io shows the same on each
command's page.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class Deprecation:
    """A deprecation documented outside the shipped table."""

    since: str
    replaced_by: str
    source: str
    """Where the fact is documented."""


_SOURCE = "Redis 7.2 COMMAND DOCS"
DEPRECATIONS = MappingProxyType(
    {
        "SETNX": Deprecation(
            "2.6.12", "`SET` with the `NX` argument", f"{_SOURCE}; https://redis.io/commands/setnx/"
        ),
        "SETEX": Deprecation(
            "2.6.12", "`SET` with the `EX` argument", f"{_SOURCE}; https://redis.io/commands/setex/"
        ),
        "PSETEX": Deprecation(
            "2.6.12", "`SET` with the `PX` argument", f"{_SOURCE}; https://redis.io/commands/psetex/"
        ),
    }
)


def supplement(name: str) -> Deprecation | None:
    """The supplementary deprecation of ``name``, if any."""
    return DEPRECATIONS.get(name.upper())
