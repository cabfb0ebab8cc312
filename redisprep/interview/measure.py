"""Measure the hot-key remedies a deep dive offers, by running the hot-key drill on the cluster simulation."""

from __future__ import annotations

import functools

from redisprep.backends import connect
from redisprep.drills.runner import run_drill

#: What a deep dive can measure, and the remedies each measurement covers.
REMEDIES: dict[str, tuple[str, ...]] = {"hot-key": ("none", "cache", "copies", "replicas")}
_CHECKS = {
    "cache": "hot-key.cache_share",
    "copies": "hot-key.copies_share",
    "replicas": "hot-key.replica_share",
}


@functools.cache
def hot_key_shares(seed: int = 0) -> dict[str, float]:
    """The busiest node's share of reads with no remedy and with each remedy, as the hot-key drill
    measures them on the embedded cluster simulation (3 masters, 90% of reads on one key).

    Raises:
        RunInterruptedError: Ctrl-C during the drill (its keys are removed).
    """
    backend = connect(None)
    try:
        report = run_drill("hot-key", backend, seed=seed)
    finally:
        backend.close()
    shares: dict[str, float] = {}
    for step in report.steps:
        for check in step.outcome.checks:
            for remedy, check_id in _CHECKS.items():
                if check.id == check_id and check.expected:
                    shares[remedy] = float(str(check.measured["share"]))
                    shares["none"] = float(str(check.measured["baseline_share"]))
    return shares


def describe(remedy: str, shares: dict[str, float]) -> str:
    """One line for the rubric: the load with no remedy and with the chosen one."""
    base = shares.get("none")
    if base is None:
        return "hot key not measured: the drill reported no shares"
    head = (
        f"measured on the cluster simulation (redisprep drill hot-key): the hot key's node served {base:.0%} "
        "of reads"
    )
    if remedy == "none" or remedy not in shares:
        return head + "; this remedy leaves that key on one node, so the load stays there"
    return head + f"; with this remedy ({remedy}) the busiest node served {shares[remedy]:.0%}"
