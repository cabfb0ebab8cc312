"""Which server a backend talks to: Redis or Valkey, and which release, as ``INFO server`` reports it.

Valkey answers ``redis_version:7.2.4`` (the Redis release it forked from, for clients that compare
versions) and its own release in ``valkey_version``. Most behaviour follows the Redis number;
where Valkey changed something itself (a string's encoding depends on its key's length from
Valkey 8.0), code asks :meth:`Release.at_least` with a Valkey release. :func:`limits_for` picks
the release line's encoding thresholds from :mod:`redisprep.knowledge.limits`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from redisprep.knowledge.limits import LIMITS_6_2, LIMITS_7_0, LIMITS_7_2, LIMITS_VALKEY_8, Limits

T = TypeVar("T")

Family = Literal["redis", "valkey"]
FAMILIES: tuple[Family, ...] = ("redis", "valkey")
_NAME = re.compile(r"(redis|valkey)-(\d+(?:\.\d+){0,2})\Z")


def dotted(version: tuple[int, ...]) -> str:
    """``(7, 0, 15)`` as ``7.0.15``."""
    return ".".join(str(v) for v in version) or "unknown"


def parse_version(text: str) -> tuple[int, ...]:
    """``7.2.4`` as ``(7, 2, 4)``; non-numeric parts are dropped."""
    return tuple(int(p) for p in str(text).split(".") if p.isdigit())


@dataclass(frozen=True, slots=True)
class Release:
    """A server family and release."""

    family: Family
    version: tuple[int, ...]
    """The family's own release: ``(8, 1, 8)`` for Valkey 8.1.8."""
    redis_version: tuple[int, ...]
    """The Redis release it behaves as: the same as :attr:`version` for Redis, 7.2.4 for Valkey."""

    @classmethod
    def redis(cls, *version: int) -> Release:
        """A Redis release: ``Release.redis(7, 0)``."""
        return cls("redis", tuple(version), tuple(version))

    @classmethod
    def from_info(cls, info: Mapping[str, Any]) -> Release:
        """The release an ``INFO server`` reply describes."""
        compat = parse_version(str(info.get("redis_version", "0")))
        if str(info.get("server_name", "")).lower() == "valkey" and info.get("valkey_version"):
            return cls("valkey", parse_version(str(info["valkey_version"])), compat)
        return cls("redis", compat, compat)

    @classmethod
    def parse(cls, name: str) -> Release:
        """``redis-6.2`` or ``valkey-8.0`` (a Valkey release behaves as Redis 7.2.4 where it did not
        change anything itself).

        Raises:
            ValueError: Not ``redis-X.Y`` or ``valkey-X.Y``.
        """
        match = _NAME.match(name.strip().lower())
        if not match:
            raise ValueError(f"{name!r} is not a server release such as redis-7.0 or valkey-8.0")
        version = parse_version(match.group(2))
        if match.group(1) == "valkey":
            return cls("valkey", version, (7, 2, 4))
        return cls.redis(*version)

    def at_least(self, other: Release) -> bool:
        """Whether this server has what ``other`` introduced.

        Within a family the releases compare; a Valkey has every Redis release up to the one it
        forked from (7.2.4), and no Redis server has a Valkey release's changes.
        """
        if other.family == "valkey":
            return self.family == "valkey" and _padded(self.version) >= _padded(other.version)
        return _padded(self.redis_version) >= _padded(other.version)

    def pick(self, by_release: Mapping[Release, T]) -> T | None:
        """The value of the latest release in ``by_release`` this server has (None: none applies).

        A Valkey release's entry is preferred to any Redis release's: Valkey has all of Redis 7.2.4
        plus its own changes.
        """
        applicable = [r for r in by_release if self.at_least(r)]
        if not applicable:
            return None
        latest = max(applicable, key=lambda r: (r.family == "valkey", _padded(r.version)))
        return by_release[latest]

    @property
    def name(self) -> str:
        """``Redis 7.0.15`` or ``Valkey 8.1.8``."""
        return f"{self.family.capitalize()} {dotted(self.version)}"

    @property
    def line(self) -> str:
        """The release line as decks and tables write it: ``redis-7.0``, ``valkey-8.1``."""
        return f"{self.family}-{dotted(self.version[:2])}"

    def __str__(self) -> str:
        return self.name


def _padded(version: tuple[int, ...]) -> tuple[int, ...]:
    return version + (0,) * (3 - len(version))


#: What the embedded fakeredis imitates (Debian 12 ships Redis 7.0.15; CI tests against it).
EMBEDDED = Release.redis(7, 0)


_VALKEY_8 = Release.parse("valkey-8.0")
_REDIS_7_2 = Release.redis(7, 2)
_REDIS_7_0 = Release.redis(7, 0)


def limits_for(release: Release) -> Limits:
    """The defaults of the release line ``release`` belongs to.

    Redis 7.4 and 8.x behave as 7.2 here, Valkey 7.2 as Redis 7.2, Valkey 8.x as Valkey 8.0, and
    every release before 7.0 (redisprep supports 6.0 and later) as 6.2.
    """
    if release.at_least(_VALKEY_8):
        return LIMITS_VALKEY_8
    if release.at_least(_REDIS_7_2):
        return LIMITS_7_2
    if release.at_least(_REDIS_7_0):
        return LIMITS_7_0
    return LIMITS_6_2
