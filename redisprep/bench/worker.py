"""One process of the multi-connection write benchmark (run as ``python -m redisprep.bench.worker``).

Arguments: run id, first key index, count, value, start time (Unix seconds). The URL comes from
``$REDISPREP_BENCH_URL``. Prints ``{"seconds": ...}`` on stdout; errors go to stderr with exit 1.
"""

from __future__ import annotations

import json
import os
import sys
import time


def main(argv: list[str]) -> int:
    from redisprep.backends import Namespace, connect
    from redisprep.bench.client_side import key_for
    from redisprep.errors import RedisprepError

    run_id, first, count, value, start_at = argv
    try:
        client = connect(os.environ["REDISPREP_BENCH_URL"]).client()
        client.ping()
        ns = Namespace(run_id)
        time.sleep(max(0.0, float(start_at) - time.time()))
        start = time.perf_counter()
        for i in range(int(first), int(first) + int(count)):
            client.set(key_for(ns, i), value)
        took = time.perf_counter() - start
    except (RedisprepError, OSError) as exc:
        sys.stderr.write(f"{exc}\n")
        return 1
    sys.stdout.write(json.dumps({"seconds": took}) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
