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
import json, socket, sys, time
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
print(json.dumps({"seconds": time.perf_counter() - began, "cpu_seconds": time.process_time() - cpu}))
""".replace("KEYSPACE", str(KEYSPACE))


def timed_round(argvs: list[list[str]], line: str, env: dict[str, str]) -> tuple[float, float]:
    """One process per argv; once each says ``ready``, send all of them ``line`` at once.

    Each process sends its SETs and prints ``{"seconds", "cpu_seconds"}``; returns (SETs per second
    over all of them, client CPU µs per SET as the processes measured it).
    """
    children = [
        subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
        for argv in argvs
    ]
    for child in children:
        assert child.stdout is not None and child.stdout.readline() == "ready\n"
    began = time.perf_counter()
    for child in children:
        assert child.stdin is not None
        child.stdin.write(line + "\n")
        child.stdin.close()
    cpu = 0.0
    for child in children:
        assert child.stdout is not None
        cpu += json.loads(child.stdout.readline())["cpu_seconds"]
        child.wait(timeout=120)
    took = time.perf_counter() - began
    requests = int(line.split()[-1])
    return requests * len(argvs) / took, cpu / (requests * len(argvs)) * 1e6


def one_round(url: str, port: int, ns: Namespace, procs: int, share: int) -> dict[str, tuple[float, float]]:
    """The raw-socket floor, redisprep and bare redis-py, each from ``procs`` processes of ``share`` SETs."""
    prefix = key_for(ns, 0)[: -len("0")]
    floor = [
        [sys.executable, "-c", FLOOR, str(port), str(p * share), str(share), prefix] for p in range(procs)
    ]
    workers = [
        [sys.executable, "-m", "redisprep.bench.worker", ns.run_id, str(p * share), VALUE]
        for p in range(procs)
    ]
    env = {**os.environ, "REDISPREP_BENCH_URL": url}
    return {
        "raw-socket floor": timed_round(floor, f"go {share}", env),
        "redisprep": timed_round(workers, f"ours {share}", env),
        "bare redis-py": timed_round(workers, f"bare {share}", env),
    }


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
                for label, figure in one_round(server.url, server.port, ns, procs, share).items():
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
