"""Regenerate redisprep/knowledge/data/commands.json from a live Redis 7's COMMAND DOCS.

Usage:
    python scripts/gen_command_table.py [--url redis://localhost:6379] [--out PATH]

With no --url it starts a throw-away redis-server on a free port (needs redis-server on PATH),
reads COMMAND DOCS, and stops it by PID. Only the fields explain needs are kept.
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import redis

from redisprep.explain.docs import docs_map

FIELDS = ("summary", "complexity", "group", "since", "deprecated_since", "replaced_by")
OUT = Path(__file__).resolve().parent.parent / "redisprep" / "knowledge" / "data" / "commands.json"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _entry(doc: dict[str, Any]) -> dict[str, Any]:
    out = {f: doc[f] for f in FIELDS if doc.get(f) not in (None, "")}
    if "history" in doc and doc["history"]:
        out["history"] = [[str(v), str(t)] for v, t in doc["history"]]
    return out


def collect(client: redis.Redis) -> dict[str, Any]:
    docs = docs_map(client.execute_command("COMMAND DOCS"))
    table: dict[str, Any] = {}
    for name, doc in docs.items():
        if doc.get("group") == "module":
            continue
        table[name.upper()] = _entry(doc)
        for sub, subdoc in (doc.get("subcommands") or {}).items():
            table[sub.replace("|", " ").upper()] = _entry(subdoc)
    return dict(sorted(table.items()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    proc = None
    url = args.url
    if url is None:
        binary = shutil.which("redis-server")
        if binary is None:
            sys.exit("redis-server not found; pass --url")
        port = _free_port()
        tmp = tempfile.mkdtemp()
        proc = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", tmp],
            stdout=subprocess.DEVNULL,
        )
        url = f"redis://127.0.0.1:{port}"
        time.sleep(0.2)
    try:
        client = redis.Redis.from_url(url, decode_responses=True)
        version = client.info("server")["redis_version"]
        table = collect(client)
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait()
    payload = {"source": f"COMMAND DOCS of Redis {version}", "commands": table}
    args.out.write_text(json.dumps(payload, indent=1, sort_keys=False) + "\n")
    print(f"wrote {len(table)} commands from Redis {version} to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
