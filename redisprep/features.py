"""Feature probes: ask the server whether it does something, instead of guessing from a version.

Each probe is one command on a key that does not exist, so it writes nothing, and the reply it must
give when the feature works. Anything else (an error, another reply) means the feature is absent
here: an older server, a renamed command, or an emulator (fakeredis) that lacks or gets it wrong.
Drills and tests read :meth:`redisprep.backends.Backend.supports`; nothing compares library
versions or recognises a client library's exceptions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: The key every probe names; no run ever writes it, and no probe writes at all.
PROBE_KEY = "redisprep:probe:absent"


@dataclass(frozen=True, slots=True)
class ProbeErrorReply:
    """A probe's working reply that is an error: the server knows the command and rejects the
    probe's arguments the way the feature's own release does."""

    text: str
    """Part of the error message (``numkeys should be greater than 0``)."""


@dataclass(frozen=True, slots=True)
class Feature:
    """One thing a server may or may not do, and how to find out."""

    name: str
    """What code asks for: ``backend.supports("pexpire-nx")``."""
    shown: str
    """How the user reads it in a skip line: ``PEXPIRE ... NX``."""
    since: str
    """The Redis release that added it, for the skip line (``Redis 7.0``)."""
    probe: tuple[str, ...]
    """The command, with ``{key}`` standing for :data:`PROBE_KEY`."""
    works: Any
    """The reply the probe gives where the feature works (a :class:`ProbeErrorReply` for an error)."""
    covers: tuple[str, ...] = ()
    """The commands (``SINTERCARD``) and options (``PEXPIRE NX``) code may send once the probe
    says yes; a drill that probes for the feature need not require its release."""

    def command(self) -> tuple[str, ...]:
        return tuple(PROBE_KEY if part == "{key}" else part for part in self.probe)


FEATURES: dict[str, Feature] = {
    f.name: f
    for f in (
        Feature(
            "geosearch-bybox",
            "GEOSEARCH ... BYBOX",
            "Redis 6.2",
            ("GEOSEARCH", "{key}", "FROMLONLAT", "0", "0", "BYBOX", "1", "1", "m"),
            [],
            ("GEOSEARCH BYBOX",),
        ),
        Feature(
            "pexpire-nx",
            "PEXPIRE ... NX",
            "Redis 7.0",
            ("PEXPIRE", "{key}", "1000", "NX"),
            0,
            ("PEXPIRE NX",),
        ),
        # ``SINTERCARD 1 missing`` would do, but fakeredis (2.41 too) answers WRONGTYPE when the
        # first key is missing; a zero key count is refused alike by Redis 7.0 and fakeredis, and
        # is an unknown command to 6.2.
        Feature(
            "sintercard",
            "SINTERCARD",
            "Redis 7.0",
            ("SINTERCARD", "0", "{key}"),
            ProbeErrorReply("numkeys should be greater than 0"),
            ("SINTERCARD",),
        ),
        Feature("lmpop", "LMPOP", "Redis 7.0", ("LMPOP", "1", "{key}", "LEFT"), None, ("LMPOP",)),
        Feature("expiretime", "EXPIRETIME", "Redis 7.0", ("EXPIRETIME", "{key}"), -2, ("EXPIRETIME",)),
        Feature(
            "functions",
            "FUNCTION and FCALL",
            "Redis 7.0",
            ("FUNCTION", "LIST", "LIBRARYNAME", "{key}"),
            [],
            ("FUNCTION LOAD", "FUNCTION DELETE", "FUNCTION LIST", "FCALL", "FCALL_RO"),
        ),
    )
}


def probe(client: Any, feature: Feature, **options: Any) -> bool:
    """Whether ``client``'s server gives the working reply to ``feature``'s probe.

    Args:
        client: A redis-py (or fakeredis) client.
        feature: What to probe.
        options: Passed to ``execute_command`` (a cluster client's ``target_nodes``).
    """
    import redis

    try:
        reply = client.execute_command(*feature.command(), **options)
    except redis.ResponseError as exc:
        return isinstance(feature.works, ProbeErrorReply) and feature.works.text in str(exc)
    return bool(reply == feature.works)


def skip_line(feature: Feature, label: str) -> str:
    """The one line a step prints when it cannot run here."""
    return f"skipped: needs {feature.shown} ({feature.since}+), which {label} does not offer"
