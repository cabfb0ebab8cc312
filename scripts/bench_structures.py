"""Data-structure drills: wall time of each (in process and as a whole CLI run) and the Bloom FP rates.

Runs every structure drill on the embedded backend and on a throw-away redis-server this script
starts (stopped by PID), then prints medians. Also prints the Bloom filter's measured
false-positive rates (core filter and BF.* where the backend has it) next to theory, per seed.
Usage: python scripts/bench_structures.py [--runs N] [--seeds N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import time_commands  # noqa: E402

from redisprep.backends import Backend, connect  # noqa: E402
from redisprep.drills import get_drill, load_catalog, run_drill  # noqa: E402
from redisprep.drills.bloom import reference as bloom  # noqa: E402
from redisprep.errors import BackendUnsupportedError  # noqa: E402
from redisprep.localserver import start_server  # noqa: E402


def structure_drills() -> list[str]:
    return [e.name for e in load_catalog() if e.meta.group == "data-structure"]


def in_process(backend: Backend, names: list[str], runs: int) -> dict[str, tuple[float, float]]:
    """Median (whole run, sum of step times) in ms per drill."""
    out = {}
    for name in names:
        run_drill(name, backend)  # warm-up: imports, scripts loaded
        totals, steps = [], []
        for _ in range(runs):
            report = run_drill(name, backend)
            assert report.ok, f"{name} did not come out as expected on {backend.label}"
            totals.append(report.duration_ms)
            steps.append(sum(s.duration_ms for s in report.steps))
        out[name] = (statistics.median(totals), statistics.median(steps))
    return out


def bloom_rates(backend: Backend, seeds: int) -> list[tuple[int, str, str, str]]:
    """(seed, core measured p, BF.* measured p or '-', theory) for seeds 0..seeds-1."""
    theory = bloom.theoretical_fp(bloom.sizing(1000, 0.01), 1000)
    rows = []
    for seed in range(seeds):
        report = run_drill("bloom", backend, seed=seed)
        measured = {c.id: c.measured for c in report.checks if c.expected}
        core = measured["bloom.false_positive_rate"]["measured_fp"]
        module = measured.get("bloom.module_filter", {}).get("measured_fp")
        rows.append(
            (seed, f"{core:.2%}", "-" if module is None else f"{module:.2%}", f"{theory:.2%}")  # type: ignore[str-format]
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    names = structure_drills()
    assert all(get_drill(n) for n in names)
    py = sys.executable
    server = None
    try:
        server = start_server()
    except BackendUnsupportedError as exc:
        print(f"live figures skipped: {exc}")
    try:
        backends = {"embedded": connect(None)}
        if server is not None:
            backends["live 127.0.0.1"] = connect(server.url, disposable=True)
        print(f"in-process drill time, median of {args.runs} runs (ms): whole run / sum of step times")
        for label, backend in backends.items():
            for name, (total, steps) in in_process(backend, names, args.runs).items():
                print(f"  {name:12s} {label:15s} {total:8.0f} {steps:8.0f}")
        print("\nBloom filter false-positive rate (1,000 items, sized for 1%, 2,000 never-added probes)")
        for label, backend in backends.items():
            for seed, core, module, theory in bloom_rates(backend, args.seeds):
                print(f"  {label:15s} seed {seed}: core {core}  BF.* {module:6s}  theory {theory}")
        commands = {f"drill {n} (embedded)": [py, "-m", "redisprep", "drill", n] for n in names}
        if server is not None:
            for n in names:
                commands[f"drill {n} (live)"] = [py, "-m", "redisprep", "drill", n, "--url", server.url]
        medians = time_commands(commands, runs=args.runs)
        print(f"\nCLI wall time, median of {args.runs} interleaved runs (whole process, start-up included)")
        for name, seconds in medians.items():
            print(f"  {name:36s} {seconds * 1000:8.0f} ms")
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
