"""How close ``redisprep size`` is to a real server: predicted vs measured used_memory (a figure, not a test).

For each kind at each size (100k and 1M entries by default) it starts a throw-away redis-server
(redis-server on PATH, or $REDISPREP_SERVER; stopped by PID), loads the data pipelined, reads the
growth of INFO used_memory once it has settled, and prints it beside the model's prediction.
Entries are string keys, hash fields (keys of 10 fields), or members of one zset, set or geo key.
Usage: python scripts/bench_size.py [--sizes 100k,1M] [--kinds string,hash,...] [--json]
"""

from __future__ import annotations

import argparse
import json
import time

from redisprep.backends import connect
from redisprep.localserver import start_server
from redisprep.release import dotted
from redisprep.sizing import Shape, build_shape, estimate, parse_count
from redisprep.sizing.calibrate import measure

#: Each kind as the benchmark loads it; ``{n}`` is the number of entries.
CASES: dict[str, tuple[str, dict[str, str | bool | None]]] = {
    "string": ("string", {"keys": "{n}", "key_bytes": "12", "value_bytes": "100"}),
    "string-embstr-ttl": ("string", {"keys": "{n}", "key_bytes": "16", "value_bytes": "32", "ttl": True}),
    "hash": ("hash", {"keys": "{n/10}", "fields": "10", "field_bytes": "8", "value_bytes": "16"}),
    "hash-big": ("hash", {"keys": "1", "fields": "{n}", "field_bytes": "16", "value_bytes": "16"}),
    "zset": ("zset", {"members": "{n}", "member_bytes": "16"}),
    "set": ("set", {"members": "{n}", "member_bytes": "16"}),
    "set-intset": ("set", {"keys": "{n/500}", "members": "500", "member_bytes": "7", "integers": True}),
    "geo": ("geo", {"members": "{n}", "member_bytes": "16"}),
}
DEFAULT_KINDS = tuple(CASES)


def shape_for(case: str, n: int) -> Shape:
    kind, given = CASES[case]
    filled = {
        k: (v.replace("{n/10}", str(n // 10)).replace("{n/500}", str(n // 500)).replace("{n}", str(n)))
        if isinstance(v, str)
        else v
        for k, v in given.items()
    }
    return build_shape(kind, filled)


def run(case: str, n: int) -> dict[str, object]:
    shape = shape_for(case, n)
    server = start_server()
    try:
        backend = connect(server.url, disposable=True)
        try:
            version = dotted(backend.version)
            start = time.perf_counter()
            measured = measure(backend, shape)
            seconds = time.perf_counter() - start
        finally:
            backend.close()
    finally:
        server.stop()
    est = estimate(shape)
    return {
        "case": case,
        "entries": shape.total_entries,
        "encoding": est.encoding,
        "predicted": est.total_bytes,
        "measured": measured,
        "error_pct": round((est.total_bytes - measured) / measured * 100, 2),
        "server": version,
        "load_s": round(seconds, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="100k,1M", help="entries per case, comma-separated")
    parser.add_argument("--kinds", default=",".join(DEFAULT_KINDS), help=f"cases: {', '.join(CASES)}")
    parser.add_argument("--json", action="store_true", help="one JSON object per row")
    args = parser.parse_args()
    sizes = [parse_count(s, "--sizes") for s in args.sizes.split(",")]
    rows = []
    if not args.json:
        print(
            f"{'case':<18} {'entries':>10} {'encoding':<10} {'predicted':>14} {'measured':>14} {'error':>8}"
        )
    for case in args.kinds.split(","):
        for n in sizes:
            row = run(case, n)
            rows.append(row)
            if args.json:
                print(json.dumps(row))
            else:
                print(
                    f"{case:<18} {row['entries']:>10,} {row['encoding']!s:<10} {row['predicted']:>14,} "
                    f"{row['measured']:>14,} {row['error_pct']:>+7.2f}%",
                    flush=True,
                )
    if not args.json:
        worst = max(abs(float(str(r["error_pct"]))) for r in rows)
        print(f"redis-server {rows[0]['server']}; largest error {worst:.2f}% (target: within 10%)")


if __name__ == "__main__":
    main()
