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

PROBED_SKIP = "which this server does not offer (probed)"


def require(backend: Backend, feature: str) -> None:
    """Skip the calling test unless ``backend`` does ``feature`` (a name in FEATURES)."""
    if not backend.supports(feature):
        f = FEATURES[feature]
        pytest.skip(f"needs {f.shown} ({f.since}+), {PROBED_SKIP}: {backend.release}")
