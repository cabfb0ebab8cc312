"""What the mutation tests share: a drill context on the embedded backend, for checks run in-process,
corpus variants imported in-process, and mutmut's record of the functions a fork of the test
process called."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from redisprep.backends import connect, delete_namespace
from redisprep.drills.context import DrillContext
from redisprep.drills.model import CheckResult

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(name="ctx")
def embedded_ctx() -> Iterator[DrillContext]:
    """A drill context (seed 3) on the embedded backend: a check's decision does not depend on the
    server, and the suite's own ``ctx`` runs each check on a live server as well."""
    backend = connect(None)
    context = DrillContext.create(backend, seed=3)
    yield context
    delete_namespace(backend.client(), context.ns)
    backend.close()


def load_script(name: str) -> Any:
    """``scripts/<name>.py`` imported as a module (the scripts import each other by plain name)."""
    scripts = ROOT / "scripts"
    sys.path.insert(0, str(scripts))
    try:
        spec = importlib.util.spec_from_file_location(name, scripts / f"{name}.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(scripts))


def fails(result: CheckResult, pitfall: str) -> None:
    """``result`` is a failure naming exactly ``pitfall``."""
    assert result.status == "fail", result.message
    assert result.pitfall == pitfall, result.pitfall


def load_variant(path: Path) -> Any:
    """The learner file at ``path`` (a wrong variant of the corpus) imported into this process, where
    ``make mutate``'s mutants are switched on, to grade it with ``check.run(ctx, module)``."""
    name = f"wrong_{path.parent.parent.name.replace('-', '_')}_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def corpus_module(exercise: str, name: str) -> Any:
    """The wrong variant ``drills/<exercise>/wrong/<name>.py``, imported by :func:`load_variant`."""
    return load_variant(ROOT / "drills" / exercise / "wrong" / f"{name}.py")


def mutmut_hits() -> list[str]:
    """The mutated functions that mutmut's stats run saw called in this process (none outside one).

    mutmut learns which tests reach a function by recording calls in the test process; a call made
    in a fork of it (the grading child's confinement, tested in a fork) is recorded in the fork and
    lost. The fork sends these back, and the test passes them to :func:`add_mutmut_hits`.
    """
    module = sys.modules.get("mutmut.state")
    return sorted(module.state()._stats) if module is not None else []


def add_mutmut_hits(names: Iterable[str]) -> None:
    """Record calls a fork of this test process made, for mutmut's stats run (no-op outside one)."""
    module = sys.modules.get("mutmut.state")
    if module is not None:
        module.state()._stats.update(names)
