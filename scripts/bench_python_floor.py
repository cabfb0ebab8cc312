"""How close any Python client can get to redis-benchmark here: a raw-socket floor next to redisprep.

Issue 22 asks for SET from 4 processes at >= 0.5x redis-benchmark -c 4. This measures, in
alternating rounds on a throw-away redis-server (stopped by PID), four ways of sending unpipelined
SETs from 1 and from 4 processes:

- redis-benchmark (C, one event loop for all its connections);
- the floor for any Python client: a raw socket per process sending a pre-packed SET and reading
  ``+OK`` (no parsing, no command building, no error handling);
- redisprep's client and a bare ``redis.Redis`` (``python -m redisprep.bench.worker``, as ``bench``).

With the client CPU per SET of each Python way (process time / requests), it shows whether a gap to
redis-benchmark is ours to close or this machine's: on 2 cores, 4 client processes and the server
share two CPUs, so each reply waits for a scheduler wake-up that redis-benchmark's one loop avoids.

Usage: python scripts/bench_python_floor.py [--requests N] [--rounds R]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import uuid

from redisprep.backends import Namespace
from redisprep.bench import external
from redisprep.bench.client_side import KEYSPACE, key_for
from redisprep.localserver import start_server

VALUE = "xxx"
FLOOR = """
import socket, sys, time
port, first, count, prefix = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
keys = [f"{prefix}{i % KEYSPACE}" for i in range(first, first + count)]
msgs = [f"*3\\r\\n$3\\r\\nSET\\r\\n${len(k)}\\r\\n{k}\\r\\n$3\\r\\nxxx\\r\\n".encode() for k in keys]
s = socket.create_connection(("127.0.0.1", port))
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
sys.stdout.write("ready\\n"); sys.stdout.flush(); sys.stdin.readline()
began, cpu = time.perf_counter(), time.process_time()
for m in msgs:
    s.sendall(m)
    if s.recv(16) != b"+OK\\r\\n":
        raise SystemExit("unexpected reply")
print(time.perf_counter() - began, time.process_time() - cpu)
""".replace("KEYSPACE", str(KEYSPACE))


def floor_round(port: int, ns: Namespace, procs: int, per_process: int) -> tuple[float, float]:
    """(SETs per second, client CPU µs per SET) of ``procs`` raw-socket processes started together."""
    prefix = key_for(ns, 0)[: -len("0")]
    children = [
        subprocess.Popen(
            [sys.executable, "-c", FLOOR, str(port), str(p * per_process), str(per_process), prefix],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for p in range(procs)
    ]
    for child in children:
        assert child.stdout is not None and child.stdout.readline() == "ready\n"
    began = time.perf_counter()
    for child in children:
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    cpu = 0.0
    for child in children:
        out, _ = child.communicate(timeout=120)
        cpu += float(out.split()[1])
    took = time.perf_counter() - began
    return procs * per_process / took, cpu / (procs * per_process) * 1e6


def worker_round(url: str, ns: Namespace, procs: int, per_process: int) -> dict[str, tuple[float, float]]:
    """redisprep's and bare redis-py's rate and client CPU µs per SET from ``procs`` worker processes."""
    env = {**os.environ, "REDISPREP_BENCH_URL": url}
    argv = [sys.executable, "-m", "redisprep.bench.worker", ns.run_id]
    out: dict[str, tuple[float, float]] = {}
    for which in ("ours", "bare"):
        workers = [
            subprocess.Popen(
                [*argv, str(p * per_process), VALUE],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                env=env,
            )
            for p in range(procs)
        ]
        for w in workers:
            assert w.stdout is not None and w.stdout.readline() == "ready\n"
        began = time.perf_counter()
        for w in workers:
            assert w.stdin is not None
            w.stdin.write(f"{which} {per_process}\n")
            w.stdin.close()
        cpu = 0.0
        for w in workers:
            assert w.stdout is not None
            cpu += json.loads(w.stdout.readline())["cpu_seconds"]
            w.wait(timeout=60)
        took = time.perf_counter() - began
        out[which] = (procs * per_process / took, cpu / (procs * per_process) * 1e6)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=40_000, help="SETs per way and round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    server = start_server()
    ns = Namespace(f"floor{uuid.uuid4().hex[:8]}")
    rows: dict[tuple[int, str], list[tuple[float, float | None]]] = {}
    try:
        for _ in range(args.rounds):
            for procs in (1, 4):
                share = args.requests // procs
                rb, _ = external.run(server.url, ns, args.requests, procs, 1, VALUE)
                rows.setdefault((procs, "redis-benchmark"), []).append((rb, None))
                rows.setdefault((procs, "raw-socket floor"), []).append(
                    floor_round(server.port, ns, procs, share)
                )
                for which, figure in worker_round(server.url, ns, procs, share).items():
                    label = "redisprep" if which == "ours" else "bare redis-py"
                    rows.setdefault((procs, label), []).append(figure)
    finally:
        server.stop()
    print(f"unpipelined SET on loopback, medians of {args.rounds} alternating rounds of {args.requests:,}")
    print(f"({os.cpu_count()} CPUs, load average {', '.join(f'{x:.1f}' for x in os.getloadavg())})\n")
    print(f"{'processes':<10} {'way':<18} {'SET/s':>10} {'÷ redis-benchmark':>18} {'client CPU µs/SET':>18}")
    for procs in (1, 4):
        rb = statistics.median(r for r, _ in rows[(procs, "redis-benchmark")])
        for label in ("redis-benchmark", "raw-socket floor", "redisprep", "bare redis-py"):
            figures = rows[(procs, label)]
            rate = statistics.median(r for r, _ in figures)
            cpus = [c for _, c in figures if c is not None]
            cpu = f"{statistics.median(cpus):.1f}" if cpus else "-"
            print(f"{procs:<10} {label:<18} {rate:>10,.0f} {rate / rb:>17.2f}x {cpu:>18}")


if __name__ == "__main__":
    main()
