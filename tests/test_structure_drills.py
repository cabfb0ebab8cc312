"""Every data-structure drill: runs on both backends, repeats with --seed, cleans up, lists apart."""

from __future__ import annotations

import json
from typing import Any

import pytest

from redisprep.backends import Backend
from redisprep.drills import get_drill, load_catalog, run_drill
from redisprep.drills.model import DrillReport

STRUCTURES = ("strings", "hashes", "lists", "sets", "sorted-sets", "bloom", "time-series", "hyperloglog")


def outcome(report: DrillReport) -> list[Any]:
    """What must repeat with the same seed: every figure, and every check's verdict."""
    return [
        (
            s.title,
            s.outcome.skipped,
            s.outcome.figures,
            [(c.id, c.passed, c.expected) for c in s.outcome.checks],
        )
        for s in report.steps
    ]


@pytest.mark.parametrize("name", STRUCTURES)
def test_drill_holds_repeats_with_its_seed_and_leaves_no_keys(backend: Backend, name: str) -> None:
    first = run_drill(name, backend, seed=11)
    second = run_drill(name, backend, seed=11)
    unexpected = [f"{c.id}: {c.message}" for c in first.checks if not c.as_expected]
    assert first.ok and second.ok, unexpected
    assert outcome(first) == outcome(second)
    assert first.keys_removed > 0
    assert list(backend.client().scan_iter(match="redisprep:*")) == []
    # Each drill shows commands with their documented cost, through the tracer.
    assert first.costs and all(c.complexity for c in first.costs)


@pytest.mark.parametrize("name", ["strings", "time-series", "sets"])
def test_another_seed_gives_other_data(name: str) -> None:
    from redisprep.backends import connect

    backend = connect(None)
    assert outcome(run_drill(name, backend, seed=1)) != outcome(run_drill(name, backend, seed=2))


def test_structure_drills_are_grouped_apart_from_use_cases(invoke: Any) -> None:
    entries = {e.name: e.meta.group for e in load_catalog()}
    assert {name: entries[name] for name in STRUCTURES} == dict.fromkeys(STRUCTURES, "data-structure")
    listed = invoke("drill", "list")
    assert listed.exit_code == 0
    text = listed.stdout
    assert text.index("Use cases") < text.index("leaderboard") < text.index("Data structures")
    for name in STRUCTURES:
        assert text.index("Data structures") < text.index(name + " ")
    as_json = {row["name"]: row["group"] for row in json.loads(invoke("drill", "list", "--json").stdout)}
    assert all(as_json[name] == "data-structure" for name in STRUCTURES)


@pytest.mark.parametrize("name", STRUCTURES)
def test_every_check_id_belongs_to_its_drill(name: str) -> None:
    drill = get_drill(name).drill
    assert drill.checks and all(c.id.startswith(name + ".") for c in drill.checks)


def test_cli_runs_a_structure_drill_with_a_seed(invoke: Any) -> None:
    result = invoke("drill", "sorted-sets", "--seed", "5", "--json", catch=False)
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] and report["seed"] == 5
    assert any(c["operation"] == "take the most urgent (ZPOPMIN)" for c in report["costs"])
