"""Open the backend a command asked for, and close it afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from redisprep.backends import Backend


@contextmanager
def open_backend(url: str | None, cluster: bool = False) -> Iterator[Backend]:
    """Resolve ``--url`` against the environment, connect, and close every client on exit."""
    from redisprep.backends import connect, resolve_url

    backend = connect(resolve_url(url), cluster=cluster)
    try:
        yield backend
    finally:
        backend.close()
