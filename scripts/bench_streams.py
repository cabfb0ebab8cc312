"""Stream drills benchmark: in-process step times and the measured outcomes of event-sourcing and
pubsub-vs-streams, on the embedded backend and on a throw-away local redis-server.

Prints, per backend: the median drill and step wall times over N runs, and from the last run the
lost-event counts, pending counts before/after XAUTOCLAIM, projection equality and Pub/Sub
received-versus-published counts (the numbers the checks measured).
Usage: python scripts/bench_streams.py [--runs N] [--url URL]
"""

from __future__ import annotations

import argparse
import statistics
from collections import defaultdict

from redisprep.backends import Backend, connect
from redisprep.drills import run_drill
from redisprep.drills.model import DataTable, DrillReport
from redisprep.errors import BackendUnsupportedError
from redisprep.localserver import LocalServer, start_server

DRILLS = ("event-sourcing", "pubsub-vs-streams")
TABLES = ("crash and recovery", "retention", "offline for a while", "handler crash")
SHOWN = {
    "event-sourcing.crash_recovery": (
        "pending_before",
        "pending_after",
        "claimed",
        "lost",
        "projection_equal",
    ),
    "event-sourcing.acked": ("pending",),
    "event-sourcing.redelivery_once": ("applied_times",),
    "event-sourcing.snapshot_tail": ("off_by", "trimmed_replay_equal"),
    "event-sourcing.replay_matches_live": ("live_equals_replay",),
    "pubsub-vs-streams.offline_catch_up": ("published", "received_online", "received_offline", "missed"),
    "pubsub-vs-streams.late_join_replay": ("published", "received"),
    "pubsub-vs-streams.fan_out": ("published", "min_received"),
}


def bench(backend: Backend, runs: int) -> None:
    for name in DRILLS:
        run_drill(name, backend, seed=0)  # warm-up: imports, Lua runtime, connections
        totals: list[float] = []
        steps: dict[str, list[float]] = defaultdict(list)
        report: DrillReport | None = None
        for _ in range(runs):
            report = run_drill(name, backend, seed=0)
            totals.append(sum(s.duration_ms for s in report.steps))
            for step in report.steps:
                steps[step.title].append(step.duration_ms)
        assert report is not None
        print(f"  {name}: steps total {statistics.median(totals):.0f} ms (median of {runs}), ok={report.ok}")
        for title, values in steps.items():
            print(f"    {title:52s} {statistics.median(values):7.1f} ms")
        for step in report.steps:
            for fig in step.outcome.figures:
                if isinstance(fig, DataTable) and fig.title.startswith(TABLES):
                    print(f"    table {fig.title!r}: {list(fig.rows)}")
        for check in report.checks:
            keys = SHOWN.get(check.id)
            if keys:
                figures = ", ".join(f"{k}={check.measured.get(k)}" for k in keys)
                variant = "reference" if check.expected else "naive"
                print(f"    {check.id} [{variant}, passed={check.passed}]: {figures}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--url", default=None, help="a live server to use instead of starting one")
    args = parser.parse_args()
    print("embedded")
    embedded = connect(None)
    bench(embedded, args.runs)
    embedded.close()
    server: LocalServer | None = None
    url = args.url
    if url is None:
        try:
            server = start_server()
            url = server.url
        except BackendUnsupportedError as exc:
            print(f"live figures skipped: {exc}")
            return
    try:
        live = connect(url)
        print(f"live {live.label} (Redis {'.'.join(map(str, live.version))})")
        bench(live, args.runs)
        live.close()
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
