"""Regenerate redisprep/knowledge/data/keyspecs.json from a live Redis 7's COMMAND INFO key specs.

Usage:
    python scripts/gen_key_specs.py [--url redis://localhost:6379] [--out PATH]

With no --url it starts a throw-away redis-server (redisprep.localserver) and stops it by PID.
For every command and subcommand it keeps the key specs (where the keys are), the command flags and
the ACL categories: what the practice grader's guard needs to tell which arguments are keys.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import redis

from redisprep.localserver import start_server

OUT = Path(__file__).resolve().parent.parent / "redisprep" / "knowledge" / "data" / "keyspecs.json"


def _pairs(flat: list[Any]) -> dict[str, Any]:
    return dict(zip(flat[::2], flat[1::2], strict=True))


def _spec(raw: list[Any]) -> dict[str, Any]:
    spec = _pairs(raw)
    begin, find = _pairs(spec["begin_search"]), _pairs(spec["find_keys"])
    b, f = _pairs(begin["spec"]) if begin["spec"] else {}, _pairs(find["spec"]) if find["spec"] else {}
    if begin["type"] == "index":
        begin_out: list[Any] = ["index", b["index"]]
    elif begin["type"] == "keyword":
        begin_out = ["keyword", b["keyword"], b["startfrom"]]
    else:
        begin_out = [begin["type"]]
    if find["type"] == "range":
        find_out: list[Any] = ["range", f["lastkey"], f["keystep"], f["limit"]]
    elif find["type"] == "keynum":
        find_out = ["keynum", f["keynumidx"], f["firstkey"], f["keystep"]]
    else:
        find_out = [find["type"]]
    return {"begin": begin_out, "find": find_out, "flags": sorted(str(x) for x in spec["flags"])}


def _entry(info: list[Any]) -> dict[str, Any]:
    return {
        "flags": sorted(str(x) for x in info[2]),
        "acl": sorted(str(x).lstrip("@") for x in info[6]),
        "keys": [_spec(s) for s in info[8]],
    }


def collect(client: redis.Redis) -> dict[str, Any]:
    """Every command's key specs, flags and ACL categories; subcommands as ``XGROUP CREATE``."""
    table: dict[str, Any] = {}
    for info in client.execute_command("COMMAND INFO"):  # no names: all (7.0+)
        name = str(info[0]).upper()
        if "module" in info[2]:
            continue
        table[name] = _entry(info)
        for sub in info[9] if len(info) > 9 else []:
            table[str(sub[0]).replace("|", " ").upper()] = _entry(sub)
    return dict(sorted(table.items()))


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--url")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    server = None if args.url else start_server()
    url = args.url or (server.url if server else "")
    try:
        client = redis.Redis.from_url(url, decode_responses=True, protocol=2)
        version = client.info("server")["redis_version"]
        table = collect(client)
        client.close()
    finally:
        if server is not None:
            server.stop()
    lines = [
        f"  {json.dumps(name)}: {json.dumps(entry, separators=(',', ':'))}" for name, entry in table.items()
    ]
    body = ",\n".join(lines)
    args.out.write_text(
        f'{{\n "source": "COMMAND INFO of Redis {version}",\n "commands": {{\n{body}\n }}\n}}\n',
        encoding="utf-8",
    )
    sys.stderr.write(f"wrote {len(table)} commands to {args.out}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
