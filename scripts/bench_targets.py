"""Issue 22's table: what users wait for, each figure against its target, as ratios from one run.

Rows: `redisprep quiz --limit 1` to the first card (warm deck cache, and cold for information),
`redisprep drill all` on the embedded backend, `redisprep bench --url`'s Python SET rates divided
by redis-benchmark's (1 connection, 4 processes), and the tracer's overhead on loopback. Whole
processes are timed interleaved, next to `python -c "import typer"`, so machine noise hits every
row alike. With --baseline REF the same rows are measured for a git revision too (checked out in
a temporary worktree and put first on PYTHONPATH), in the same run: before and after side by side.

Usage: python scripts/bench_targets.py [--runs N] [--drill-runs N] [--bench-runs N] [--baseline REF]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from redisprep.drills import drill_names

ROOT = Path(__file__).resolve().parent.parent
NOW = "2025-03-01T09:00:00+00:00"


@dataclass(frozen=True)
class Target:
    """One row of the table: a figure, its target, and which way is better."""

    label: str
    target: float
    unit: str
    lower_is_better: bool


TARGETS = {
    "quiz": Target("quiz --limit 1: first card, then quit (warm cache)", 0.35, "s", True),
    "drill_all": Target(f"drill all, embedded ({len(drill_names())} drills)", 3.0, "s", True),
    "bench_1": Target("bench: SET 1 connection ÷ redis-benchmark -c 1", 0.6, "x", False),
    "bench_4": Target("bench: SET 4 processes ÷ redis-benchmark -c 4", 0.5, "x", False),
    "tracing": Target("tracing on loopback: traced ÷ untraced (worst workload)", 1.1, "x", True),
}


@dataclass
class Variant:
    """A version of the code to measure: the working tree, or a baseline revision."""

    name: str
    env: dict[str, str]


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_interleaved(
    commands: dict[str, tuple[Sequence[str], dict[str, str]]],
    runs: int,
    before_each: Callable[[str], None] | None = None,
) -> dict[str, tuple[float, float]]:
    """Median (wall, CPU) seconds of each whole command, stdin closed, runs interleaved."""
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for name, (argv, env) in commands.items():  # warm-up: page cache, .pyc files, deck cache
        if before_each:
            before_each(name)
        subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, capture_output=True, check=True)
    for _ in range(runs):
        for name, (argv, env) in commands.items():
            if before_each:
                before_each(name)
            wall, cpu = time.perf_counter(), _cpu()
            subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, capture_output=True, check=True)
            samples[name].append((time.perf_counter() - wall, _cpu() - cpu))
    return {
        name: (statistics.median(w for w, _ in s), statistics.median(c for _, c in s))
        for name, s in samples.items()
    }


@contextmanager
def baseline_tree(ref: str | None) -> Any:
    """A temporary detached worktree of ``ref`` (removed afterwards), or None."""
    if ref is None:
        yield None
        return
    path = Path(tempfile.mkdtemp(prefix="redisprep-baseline-"))
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach", str(path), ref],
        check=True,
        capture_output=True,
    )
    try:
        yield path
    finally:
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(path)],
            check=False,
            capture_output=True,
        )


def quiz_rows(variants: list[Variant], runs: int, home: Path) -> dict[str, dict[str, tuple[float, float]]]:
    """`quiz --limit 1` with a warm and a cold deck cache, and `import typer`, interleaved."""
    py = sys.executable
    commands: dict[str, tuple[Sequence[str], dict[str, str]]] = {
        "typer": ([py, "-c", "import typer"], dict(os.environ))
    }
    homes = {}
    for v in variants:
        for state in ("warm", "cold"):
            h = home / f"{v.name}-{state}"
            h.mkdir(parents=True, exist_ok=True)
            homes[f"{v.name}:{state}"] = h
            env = {**v.env, "REDISPREP_HOME": str(h), "XDG_CACHE_HOME": str(h / "cache")}
            argv = [py, "-m", "redisprep", "quiz", "--limit", "1", "--now", NOW]
            argv += ["--store", str(h / "progress.sqlite3")]
            commands[f"{v.name}:{state}"] = (argv, env)

    def forget_cache(name: str) -> None:
        if name.endswith(":cold"):
            subprocess.run(["rm", "-rf", str(homes[name] / "cache")], check=True)

    medians = time_interleaved(commands, runs, forget_cache)
    out: dict[str, dict[str, tuple[float, float]]] = {"typer": {"": medians["typer"]}}
    for v in variants:
        out.setdefault("quiz", {})[v.name] = medians[f"{v.name}:warm"]
        out.setdefault("quiz_cold", {})[v.name] = medians[f"{v.name}:cold"]
    return out


def drill_all_rows(variants: list[Variant], runs: int) -> dict[str, tuple[float, float]]:
    """Whole-process `drill all` on the embedded backend, output to a pipe."""
    py = sys.executable
    commands = {v.name: ([py, "-m", "redisprep", "drill", "all"], v.env) for v in variants}
    return time_interleaved(commands, runs)  # type: ignore[arg-type]


def bench_rows(variants: list[Variant], runs: int, url: str, requests: int) -> dict[str, dict[str, Any]]:
    """`redisprep bench --url --json` runs, interleaved: median ratios and rates per variant."""
    samples: dict[str, list[dict[str, Any]]] = {v.name: [] for v in variants}
    for _ in range(runs):
        for v in variants:
            argv = [sys.executable, "-m", "redisprep", "bench", "--url", url, "--json"]
            argv += ["--players", "0", "--requests", str(requests)]
            proc = subprocess.run(argv, env=v.env, capture_output=True, text=True, check=True)
            samples[v.name].append(json.loads(proc.stdout))
    out: dict[str, dict[str, Any]] = {}
    for name, reports in samples.items():
        figures: dict[str, list[float]] = {}
        for rep in reports:
            theirs = {e["matches"]: e["per_second"] for e in rep["external"]}
            for rate in rep["rates"]:
                per_s = rate["operations"] / rate["seconds"]
                if rate["label"] in theirs:
                    key = "1" if rate["label"] == "1 connection" else "4" if rate["connections"] > 1 else ""
                    if key:
                        figures.setdefault(f"ratio_{key}", []).append(per_s / theirs[rate["label"]])
                        figures.setdefault(f"ours_{key}", []).append(per_s)
                        figures.setdefault(f"rb_{key}", []).append(theirs[rate["label"]])
            for bare in rep.get("bare", []):
                key = "1" if bare["connections"] == 1 else "4"
                figures.setdefault(f"bare_{key}", []).append(bare["operations"] / bare["seconds"])
        out[name] = {k: statistics.median(v) for k, v in figures.items()}
    return out


def tracing_rows(variants: list[Variant], url: str) -> dict[str, dict[str, float]]:
    """traced ÷ untraced per workload on loopback (scripts/bench_tracing.py --json)."""
    out = {}
    for v in variants:
        argv = [sys.executable, str(ROOT / "scripts" / "bench_tracing.py"), "--json", "--url", url]
        proc = subprocess.run(argv, env=v.env, capture_output=True, text=True, check=True)
        results = json.loads(proc.stdout)
        out[v.name] = {w: m["traced/untraced"] for w, m in results.items()}
    return out


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    return f"{value:.2f} s" if unit == "s" else f"{value:.2f}x"


def _verdict(value: float | None, t: Target) -> str:
    if value is None:
        return ""
    ratio = value / t.target
    ok = ratio <= 1 if t.lower_is_better else ratio >= 1
    return f"{ratio:5.2f} of target  {'ok' if ok else 'MISSED'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each quiz command")
    parser.add_argument("--drill-runs", type=int, default=3, help="runs of drill all")
    parser.add_argument("--bench-runs", type=int, default=3, help="runs of redisprep bench")
    parser.add_argument("--requests", type=int, default=20_000, help="SETs per bench run")
    parser.add_argument("--baseline", metavar="REF", help="also measure this git revision (before)")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    # `python -m redisprep` puts the working directory first on sys.path, ahead of PYTHONPATH: run
    # every child from a folder without a redisprep package, or both columns measure this checkout.
    os.chdir(tempfile.mkdtemp(prefix="redisprep-bench-"))
    from redisprep.errors import BackendUnsupportedError
    from redisprep.localserver import start_server

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"issue 22 targets ({platform.machine()}, {os.cpu_count()} cores, load average {load}, "
        f"Python {platform.python_version()}); medians, interleaved",
        flush=True,
    )
    with baseline_tree(args.baseline) as base, tempfile.TemporaryDirectory() as tmp:
        variants = [Variant("now", {**os.environ, "PYTHONPATH": str(ROOT)})]
        if base is not None:
            variants.insert(0, Variant("before", {**os.environ, "PYTHONPATH": str(base)}))
        names = [v.name for v in variants]
        quiz = quiz_rows(variants, args.runs, Path(tmp))
        drill = drill_all_rows(variants, args.drill_runs)
        try:
            server = start_server()
        except BackendUnsupportedError as exc:
            server = None
            print(f"live rows skipped: {exc}")
        bench: dict[str, dict[str, Any]] = {}
        tracing: dict[str, dict[str, float]] = {}
        if server is not None:
            try:
                bench = bench_rows(variants, args.bench_runs, server.url, args.requests)
                tracing = tracing_rows(variants, server.url)
            finally:
                server.stop()

    typer_s = quiz["typer"][""][0]
    values: dict[str, dict[str, float | None]] = {
        "quiz": {n: quiz["quiz"][n][0] for n in names},
        "drill_all": {n: drill[n][0] for n in names},
        "bench_1": {n: bench.get(n, {}).get("ratio_1") for n in names},
        "bench_4": {n: bench.get(n, {}).get("ratio_4") for n in names},
        "tracing": {n: max(tracing[n].values()) if n in tracing else None for n in names},
    }
    head = f"{'what the user waits for':58s}" + "".join(f"{n:>10s}" for n in names)
    print(f"\n{head}{'target':>10s}   now ÷ target")
    for key, t in TARGETS.items():
        row = values[key]
        cells = "".join(f"{_fmt(row[n], t.unit):>10s}" for n in names)
        sign = "≤" if t.lower_is_better else "≥"
        print(f"{t.label:58s}{cells}{sign + _fmt(t.target, t.unit):>10s}   {_verdict(row['now'], t)}")

    print(f"\nfor reference (same run): python -c 'import typer' {typer_s:.3f} s")
    for n in names:
        wall, cpu = quiz["quiz"][n]
        cold = quiz["quiz_cold"][n]
        print(
            f"  {n:6s} quiz first card: warm {wall:.3f} s wall / {cpu:.3f} s CPU "
            f"({wall / typer_s:.1f}x import typer); cold cache {cold[0]:.3f} s wall"
        )
        print(f"  {n:6s} drill all: {drill[n][0]:.2f} s wall / {drill[n][1]:.2f} s CPU")
        if n in bench:
            b = bench[n]
            for k, label in (("1", "1 connection"), ("4", "4 processes")):
                bare = f", bare redis-py {b['bare_' + k]:,.0f}" if f"bare_{k}" in b else ""
                print(
                    f"  {n:6s} SET {label}: redis-benchmark {b.get('rb_' + k, 0):,.0f}/s{bare}, "
                    f"redisprep {b.get('ours_' + k, 0):,.0f}/s"
                )
        if n in tracing:
            shown = ", ".join(f"{w} {r:.2f}x" for w, r in tracing[n].items())
            print(f"  {n:6s} traced ÷ untraced: {shown}")


if __name__ == "__main__":
    main()
