"""How long each command takes to fail, and with which exit code, for every server fault.

Each row is the real entry point, ``python -m redisprep ...`` in a subprocess (start-up included,
about 0.3-0.4 s), against throw-away redis-servers started here and stopped by PID. Mid-run faults
use ``tests/fault_inject.py``: SIGKILL or SIGSTOP to the server just before the N-th command.
Usage: python scripts/bench_faults.py [--runs N] [--no-cluster]
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from redisprep.localserver import LocalServer, free_port, start_server

ROOT = Path(__file__).resolve().parent.parent
INJECT = ROOT / "tests" / "fault_inject.py"
sys.path.insert(0, str(ROOT / "tests"))
from old_server import start_old_server  # noqa: E402

REFERENCE = ROOT / "redisprep" / "drills" / "leaderboard" / "reference.py"
COMMANDS: dict[str, Callable[[str], list[str]]] = {
    "drill": lambda url: ["drill", "leaderboard", "--url", url],
    "explain": lambda url: ["explain", "ZADD lb 1 a", "--execute", "--url", url],
    "practice check": lambda url: [
        "practice",
        "check",
        "leaderboard",
        "--impl",
        str(REFERENCE),
        "--url",
        url,
    ],
    "bench": lambda url: [
        *("bench", "--url", url, "--requests", "2000", "--players", "1000", "--queries", "10"),
        "--no-redis-benchmark",
    ],
    "clean": lambda url: ["clean", "--older-than", "0", "--url", url],
    "cluster slot": lambda url: ["cluster", "slot", "user:1", "--url", url],
}
#: The command number the mid-run fault fires before (past the connection handshake).
MID_RUN = {"drill": 120, "explain": 8, "practice check": 0, "bench": 60, "clean": 6, "cluster slot": 0}
KILLER = """
import os, signal
from redisprep.drills.leaderboard import reference as _reference
from redisprep.drills.leaderboard.reference import *
_calls = [0]
def add_points(r, board, player, points):
    _calls[0] += 1
    if _calls[0] == 100:
        os.kill({pid}, signal.{sig})
    return _reference.add_points(r, board, player, points)
"""


def run(argv: list[str], runs: int) -> tuple[int, int, float]:
    """Exit code, stderr lines and the median seconds of ``argv`` (a whole command line)."""
    times, code, lines = [], 0, 0
    for _ in range(runs):
        started = time.monotonic()
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=120)
        times.append(time.monotonic() - started)
        code, lines = proc.returncode, len([x for x in proc.stderr.splitlines() if x.strip()])
        if "Traceback" in proc.stderr:
            lines = -1
    return code, lines, statistics.median(times)


def redisprep(argv: list[str]) -> list[str]:
    return [sys.executable, "-m", "redisprep", *argv]


def mid_run(command: str, sig: str, runs: int) -> tuple[int, int, float]:
    """The command with the server killed or stopped part-way; a fresh server each run."""
    results = []
    for _ in range(runs):
        server = start_server()
        try:
            if command == "practice check":
                folder = Path(tempfile.mkdtemp())
                impl = folder / "leaderboard.py"
                impl.write_text(KILLER.format(pid=server.pid, sig=f"SIG{sig}"))
                argv = redisprep(
                    ["practice", "check", "leaderboard", "--impl", str(impl), "--url", server.url]
                )
            else:
                marker = tempfile.mktemp()
                argv = [
                    sys.executable,
                    str(INJECT),
                    str(server.pid),
                    sig,
                    str(MID_RUN[command]),
                    marker,
                    "--",
                ]
                argv += COMMANDS[command](server.url)
            results.append(run(argv, 1))
        finally:
            if server.alive():
                os.kill(server.pid, signal.SIGCONT)
            server.stop()
    return results[-1][0], results[-1][1], statistics.median(r[2] for r in results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-cluster", action="store_true")
    args = parser.parse_args()
    secured = start_server(password="right-one")
    pre_6 = start_old_server()  # reports Redis 5.0.14, as no installable server does
    servers: list[LocalServer] = [secured]
    cluster = None
    if not args.no_cluster:
        from redisprep.cluster.local import start_cluster

        cluster = start_cluster(3, 0)
    faults: dict[str, str] = {
        "connection refused": f"redis://127.0.0.1:{free_port()}",
        "wrong password": f"redis://:wrong-one@127.0.0.1:{secured.port}",
        "no password": secured.url,
        "malformed URL": "redis://127.0.0.1:notaport",
        "older than 6.0": pre_6.url,
    }
    if cluster is not None:
        faults["cluster node, no --cluster"] = f"redis://{cluster.addresses[0]}"
    print(f"{'fault':28} {'command':15} {'exit':>4} {'lines':>5} {'seconds':>8}")
    try:
        for fault, url in faults.items():
            for command, build in COMMANDS.items():
                code, lines, took = run(redisprep(build(url)), args.runs)
                print(f"{fault:28} {command:15} {code:>4} {lines:>5} {took:>8.2f}")
        for sig, fault in (("KILL", "killed mid-run"), ("STOP", "stops answering mid-run")):
            for command in ("drill", "explain", "practice check", "bench", "clean"):
                code, lines, took = mid_run(command, sig, args.runs)
                print(f"{fault:28} {command:15} {code:>4} {lines:>5} {took:>8.2f}")
    finally:
        for server in servers:
            server.stop()
        pre_6.stop()
        if cluster is not None:
            cluster.stop()
    print("lines: stderr lines (-1 means a traceback); seconds: median of the runs, start-up included")


if __name__ == "__main__":
    main()
