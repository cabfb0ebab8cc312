"""What the tests need to know about the server under test: which release it is, what it lacks.

A test about a feature some servers of the matrix lack (SINTERCARD before Redis 7.0) asks the
server with the same probe the drills use, and is skipped where the probe says no. Such a skip's
reason always contains ``which this server does not offer (probed)``, the one skip reason
tests/skips_allowed.txt accepts under ``REDISPREP_REQUIRE_LIVE=1``.
"""

from __future__ import annotations

import pytest

from redisprep.backends import Backend
from redisprep.features import FEATURES
from redisprep.knowledge.commands import table_source
from redisprep.release import Release

PROBED_SKIP = "which this server does not offer (probed)"


def require(backend: Backend, feature: str) -> None:
    """Skip the calling test unless ``backend`` does ``feature`` (a name in FEATURES)."""
    if not backend.supports(feature):
        f = FEATURES[feature]
        pytest.skip(f"needs {f.shown} ({f.since}+), {PROBED_SKIP}: {backend.release}")


def compact(release: Release) -> str:
    """The small sets', hashes' and sorted sets' encoding name: ``ziplist`` before Redis 7.0 (what
    6.2.14 answers), ``listpack`` from 7.0 (and on every Valkey)."""
    return "listpack" if release.at_least(Release.redis(7, 0)) else "ziplist"


def doc_source(backend: Backend) -> str:
    """How explain names where its documentation comes from on ``backend``: the server's own
    COMMAND DOCS (7.0+), else the shipped table (Redis 6.2 has no COMMAND DOCS)."""
    import redis

    try:
        backend.client().execute_command("COMMAND DOCS", "get")
    except redis.ResponseError:
        return f"shipped table: {table_source()}"
    return f"COMMAND DOCS of the server ({backend.release})"
