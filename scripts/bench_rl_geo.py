"""Figures of the rate-limit, proximity and geo drills, and their run times, on both backends.

Runs each drill in-process on the embedded backend and on a throw-away redis-server (stopped by
PID), and reports the median drill time, the slowest step, the admitted counts at the window
boundary and under concurrency, the recall of the radius search, and how far fakeredis's distances
are from Redis's for the same search.
Usage: python scripts/bench_rl_geo.py [--runs N] [--seed N]
"""

from __future__ import annotations

import argparse
import random
import statistics

from redisprep.backends import Backend, connect, delete_namespace
from redisprep.drills import run_drill
from redisprep.drills.context import DrillContext
from redisprep.drills.model import CheckResult, DrillReport
from redisprep.drills.proximity import checks as prox_checks
from redisprep.drills.proximity import reference as prox
from redisprep.errors import BackendUnsupportedError
from redisprep.localserver import start_server

DRILLS = ("rate-limit", "proximity", "geo")


def _check(report: DrillReport, check_id: str, expected: bool) -> CheckResult:
    return next(c for c in report.checks if c.id == check_id and c.expected == expected)


def _figures(report: DrillReport) -> list[str]:
    lines = []
    if report.name == "rate-limit":
        table = next(f for s in report.steps for f in s.outcome.figures if "boundary" in f.title)
        lines.append("boundary (admitted in 1.81 s): " + ", ".join(f"{r[0]} {r[3]}" for r in table.rows))
        race = next(f for s in report.steps for f in s.outcome.figures if f.title == "concurrent clients")
        lines.append(
            "16 clients x 2 requests: " + ", ".join(f"{r[0]} {r[2]} (over {r[3]})" for r in race.rows)
        )
    if report.name == "proximity":
        for expected, label in ((False, "same-prefix grid"), (True, "GEOSEARCH")):
            m = _check(report, "proximity.radius_recall", expected).measured
            lines.append(
                f"recall {label}: {m['found']}/{m['expected']} = {m['recall']}% over {m['queries']} "
                f"queries, {m['points']} points; max |d - haversine| {m['max_diff_m']} m"
            )
    return lines


def _cross_backend_distance(live_url: str, seed: int) -> tuple[int, int, float]:
    """(members in both answers, members in only one, max distance difference in m)."""
    places = prox_checks.seeded_places(random.Random(seed), prox_checks.POINTS)
    answers = []
    for url in (None, live_url):
        backend = connect(url)
        ctx = DrillContext.create(backend, seed)
        key = ctx.key("geo", "{bench}")
        prox.add_places(ctx.r, key, places)
        answers.append(dict(prox.nearby(ctx.r, key, *prox_checks.CENTRE, 5_000)))
        delete_namespace(backend.client(), ctx.ns)
        backend.close()
    fake, real = answers
    both = fake.keys() & real.keys()
    return len(both), len(fake.keys() ^ real.keys()), max(abs(fake[m] - real[m]) for m in both)


def _bench(backend: Backend, label: str, runs: int, seed: int) -> None:
    for name in DRILLS:
        reports = [run_drill(name, backend, seed=seed) for _ in range(runs)]
        steps = [sum(s.duration_ms for s in r.steps) for r in reports]
        slowest = max(reports[0].steps, key=lambda s: s.duration_ms)
        ok = all(r.ok for r in reports)
        print(
            f"{name:10s} {label:9s} steps median {statistics.median(steps):6.0f} ms "
            f"(min {min(steps):.0f}, max {max(steps):.0f}); slowest step '{slowest.title}' "
            f"{slowest.duration_ms:.0f} ms; ok={ok}"
        )
        for line in _figures(reports[0]):
            print(f"    {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    embedded = connect(None)
    _bench(embedded, "embedded", args.runs, args.seed)
    embedded.close()
    try:
        server = start_server()
    except BackendUnsupportedError as exc:
        print(f"live figures skipped: {exc}")
        return
    try:
        live = connect(server.url)
        _bench(live, "live", args.runs, args.seed)
        live.close()
        both, one_side, worst = _cross_backend_distance(server.url, args.seed)
        print(
            f"same 5 km search on both backends: {both} places in both answers, {one_side} in only one; "
            f"max distance difference {worst:.4f} m"
        )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
