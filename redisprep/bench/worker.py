"""One process of the multi-connection write benchmark (run as ``python -m redisprep.bench.worker``).

Arguments: run id, first key index, value. The URL comes from ``$REDISPREP_BENCH_URL``, never the
command line. The worker connects (redisprep's client, and a bare ``redis.Redis.from_url`` one),
prints ``ready``, then answers each line of standard input, ``ours N`` or ``bare N``, by sending N
SETs with that client and printing ``{"seconds": ..., "cpu_seconds": ...}`` (wall and this process's
CPU time); it stops at the end of its input. Errors go to stderr with exit 1.
"""

from __future__ import annotations

import json
import os
import sys
import time

from redisprep.backends import Namespace, connect
from redisprep.bench.client_side import key_for
from redisprep.errors import RedisprepError


def main(argv: list[str]) -> int:
    import redis

    run_id, first, value = argv
    url = os.environ["REDISPREP_BENCH_URL"]
    ns = Namespace(run_id)
    start = int(first)
    try:
        clients = {
            "ours": connect(url).client(single_connection_client=True),
            "bare": redis.Redis.from_url(url),
        }
        for client in clients.values():
            client.ping()
        sys.stdout.write("ready\n")
        sys.stdout.flush()
        for line in sys.stdin:
            which, count = line.split()
            client = clients[which]
            began, cpu = time.perf_counter(), time.process_time()
            for i in range(start, start + int(count)):
                client.set(key_for(ns, i), value)
            took, cpu = time.perf_counter() - began, time.process_time() - cpu
            start += int(count)
            sys.stdout.write(json.dumps({"seconds": took, "cpu_seconds": cpu}) + "\n")
            sys.stdout.flush()
    except (RedisprepError, redis.RedisError, OSError) as exc:
        sys.stderr.write(f"{exc}\n")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
