"""Cluster benchmark: `cluster up` time, scaling-drill wall times, and the hot-key shares per node.

Starts its own clusters (recorded under a temporary XDG_DATA_HOME, so the redirection drill may move
slots on them) and stops them by PID.
Usage: python scripts/bench_cluster.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import time_commands  # noqa: E402

from redisprep.backends import connect  # noqa: E402
from redisprep.cluster import manager  # noqa: E402
from redisprep.cluster.local import start_cluster  # noqa: E402
from redisprep.drills import run_drill  # noqa: E402
from redisprep.drills.model import BarChart, DrillReport  # noqa: E402

DRILLS = ("hot-key", "redirection")


def up_times(runs: int) -> dict[str, float]:
    """Median seconds from the first node's start until every node reports the cluster ready."""
    out = {}
    for masters, replicas in ((3, 0), (3, 1)):
        samples = []
        for _ in range(runs):
            cluster = start_cluster(masters, replicas)
            samples.append(cluster.startup_s)
            cluster.stop()
        out[f"{masters} masters, {replicas} replica(s) each"] = statistics.median(samples)
    return out


def busiest_shares(report: DrillReport) -> dict[str, float]:
    """Busiest node's share of GETs in each bar chart of a hot-key report."""
    out = {}
    for step in report.steps:
        for fig in step.outcome.figures:
            if isinstance(fig, BarChart):
                values = [v for _, v in fig.bars]
                title = fig.title.removeprefix("GETs per node, ").removesuffix(" (simulated)")
                out[title] = max(values) / sum(values)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"cluster up: first node start to every node ready, median of {args.runs}")
    for label, seconds in up_times(args.runs).items():
        print(f"  {label:34s} {seconds:6.2f} s")

    home = tempfile.TemporaryDirectory(prefix="redisprep-bench-")
    os.environ["XDG_DATA_HOME"] = home.name
    cluster = manager.up(3, 1)
    try:
        py = sys.executable
        commands = {}
        for name in DRILLS:
            commands[f"{name} (embedded: simulated cluster)"] = [py, "-m", "redisprep", "drill", name]
            commands[f"{name} (real cluster, 3 masters + 3 replicas)"] = [
                *(py, "-m", "redisprep", "drill", name, "--url", cluster.url),
            ]
        medians = time_commands(commands, runs=args.runs)
        print(f"drill wall time, whole process, median of {args.runs} interleaved runs")
        for label, seconds in medians.items():
            print(f"  {label:50s} {seconds * 1000:7.0f} ms")

        real = connect(cluster.url)
        try:
            real_report = run_drill("hot-key", real, seed=0)
        finally:
            real.close()
        sim_report = run_drill("hot-key", connect(None), seed=0)
        print("hot-key, seed 0: busiest node's share of the GETs that reached the cluster")
        print(f"  {'':34s} {'real':>7s} {'simulated':>10s}")
        sim = busiest_shares(sim_report)
        for label, share in busiest_shares(real_report).items():
            print(f"  {label:34s} {share:7.1%} {sim.get(label, float('nan')):10.1%}")
        print(
            f"  drill duration in-process: real {real_report.duration_ms:.0f} ms, simulated "
            f"{sim_report.duration_ms:.0f} ms"
        )
    finally:
        manager.down()
        home.cleanup()


if __name__ == "__main__":
    main()
