"""Open the backend a command that only reads asked for, and close it afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from redisprep.backends import Backend


@contextmanager
def open_backend(url: str | None, cluster: bool = False) -> Iterator[Backend]:
    """Resolve ``--url`` against the environment and connect, in a run that writes nothing."""
    from redisprep.run import Run, Target

    with Run(Target.resolve(url, cluster), writes=False) as run:
        yield run.backend
