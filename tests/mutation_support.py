"""What the mutation tests share: a drill context on the embedded backend, for checks run in-process."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from redisprep.backends import connect, delete_namespace
from redisprep.drills.context import DrillContext


@pytest.fixture(name="ctx")
def embedded_ctx() -> Iterator[DrillContext]:
    """A drill context (seed 3) on the embedded backend: a check's decision does not depend on the
    server, and the suite's own ``ctx`` runs each check on a live server as well."""
    backend = connect(None)
    context = DrillContext.create(backend, seed=3)
    yield context
    delete_namespace(backend.client(), context.ns)
    backend.close()
