"""Fixtures of the adversarial suite: one foreign-data server per module (see harness.py)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # harness.py, next to the tests

from harness import Foreign, start_foreign, stop_foreign  # noqa: E402


@pytest.fixture(scope="module")
def foreign(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Foreign]:
    """The foreign server of this module; the leak scan runs once more when the module ends."""
    box = start_foreign(tmp_path_factory.mktemp("adversarial"))
    yield box
    stop_foreign(box)
