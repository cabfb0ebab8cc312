"""The adversarial suite's ground: a password-protected server full of someone else's data, and the
checks every case ends with (their data intact, no secret in anything written, the true grade).

One server per test module holds 10,800 foreign keys of every type. Each case runs the real
``python -m redisprep`` as a subprocess, with the password both on its command line (``--url``)
and in ``$REDIS_URL``, from a folder of its own; afterwards its stdout, stderr and every file under
that folder and the attacks' drop folder are searched for the password (raw, URL-encoded, and its
pieces), and the server's digest (SCAN + DUMP + PTTL from the test's own connection) must be as
filled, with nothing of redisprep's left behind.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import redis
from foreign_data import differences, digest, fill

from redisprep.localserver import LocalServer, start_server

ATTACKS = Path(__file__).with_name("attacks")
DROP = Path(f"/tmp/redisprep-adversarial-{os.getpid()}")
#: Every unencoded character that breaks a URL, so masking is tested on the worst case.
PASSWORD = f"Fgn#{secrets.token_hex(6)}?pw/{secrets.token_hex(4)}@x:{secrets.token_hex(4)}"
HANG_S = 180.0


def secret_forms(password: str = PASSWORD) -> list[bytes]:
    """The password as it could leak: raw, URL-encoded, and its longer pieces between delimiters."""
    import re

    forms = {password, quote(password, safe="")}
    forms |= {p for p in re.split(r"[:/?#@&=]", password) if len(p) >= 6}
    return sorted((f.encode() for f in forms), key=len, reverse=True)


@dataclass
class Outcome:
    """One run of redisprep: its exit code, output and the files it wrote."""

    code: int
    stdout: str
    stderr: str
    folder: Path

    def results(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.folder / "out" / "results.json").read_text())
        return data


@dataclass
class Foreign:
    """The foreign server, its baseline, and everything the cases wrote (for the leak scan)."""

    server: LocalServer
    root: Path
    client: redis.Redis = field(init=False)
    baseline: dict[bytes, tuple[bytes, int]] = field(init=False)
    filled_at: float = field(init=False)
    written: list[tuple[str, bytes]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.client = redis.Redis(port=self.server.port, password=PASSWORD)
        fill(self.client)
        self.filled_at = time.monotonic()  # before the digest reads the TTLs
        self.baseline = digest(self.client)
        DROP.mkdir(exist_ok=True)
        DROP.chmod(0o1777)
        (DROP / "targets").write_text(str(self.server.port))

    @property
    def url(self) -> str:
        return f"redis://:{quote(PASSWORD, safe='')}@127.0.0.1:{self.server.port}"

    def run(self, *args: str, name: str, stdin: str = "", env: dict[str, str] | None = None) -> Outcome:
        """``python -m redisprep ARGS`` from a fresh folder, the password in argv and $REDIS_URL."""
        folder = self.root / f"{name}-{secrets.token_hex(3)}"
        (folder / "out").mkdir(parents=True)
        (folder / "home").mkdir()
        environ = {k: v for k, v in os.environ.items() if k not in ("REDISPREP_URL", "REDIS_URL")}
        environ.update(
            REDIS_URL=self.url,
            HOME=str(folder / "home"),
            REDISPREP_HOME=str(folder / "home" / "redisprep"),
            TMPDIR=str(folder / "home"),
            GITHUB_STEP_SUMMARY=str(folder / "out" / "summary.md"),
            REDISPREP_QUIZ_STORE=str(folder / "home" / "quiz.sqlite3"),
            COLUMNS="200",
            PYTHONUNBUFFERED="1",
        )
        environ.update(env or {})
        proc = subprocess.run(
            [sys.executable, "-m", "redisprep", *args],
            input=stdin.encode(),
            capture_output=True,
            env=environ,
            cwd=folder,
            timeout=HANG_S,
        )
        self.written += [(f"{name} stdout", proc.stdout), (f"{name} stderr", proc.stderr)]
        return Outcome(
            proc.returncode,
            proc.stdout.decode("utf-8", "replace"),
            proc.stderr.decode("utf-8", "replace"),
            folder,
        )

    def grade(self, attack: str, *checks: str, timeout: float = 5.0) -> Outcome:
        """Grade ``attacks/<attack>.py`` as the leaderboard exercise on the foreign server."""
        only = [a for c in checks for a in ("--only", c)]
        return self.run(
            "practice", "check", "leaderboard", "--impl", str(ATTACKS / f"{attack}.py"),
            "--url", self.url, "--timeout", str(timeout), *only,
            "--junit", "out/junit.xml", "--json", "out/results.json",
            name=attack,
        )  # fmt: skip

    def assert_untouched(self) -> None:
        """Their data exactly as filled (TTLs ticking), nothing of redisprep's left, no run user."""
        now = digest(self.client)
        elapsed = (time.monotonic() - self.filled_at) * 1_000  # up to the end of this digest
        changed = differences(self.baseline, now, elapsed)
        assert changed == [], changed[:5]
        for db in range(1, 16):
            other = redis.Redis(port=self.server.port, password=PASSWORD, db=db)
            assert other.dbsize() == 0, f"a key was left in database {db}"
            other.close()
        users = [u.decode() if isinstance(u, bytes) else u for u in self.client.acl_users()]
        assert [u for u in users if u.startswith("redisprep-")] == [], "a run's ACL user was left"

    def leaks(self) -> list[str]:
        """Where the password appears in anything written so far (empty when it never leaked)."""
        found = list(self.written)
        for path in [*self.root.rglob("*"), *DROP.rglob("*")]:
            if path.is_file() and path.name != "targets":
                found.append((str(path), path.read_bytes()))
        return [where for where, data in found for form in secret_forms() if form in data]


def start_foreign(root: Path) -> Foreign:
    """A password-protected server (password on its stdin, never argv) holding 10,800 foreign keys."""
    shutil.rmtree(DROP, ignore_errors=True)
    return Foreign(start_server(password=PASSWORD), root)


def stop_foreign(box: Foreign) -> None:
    """Stop the server and remove the drop folder (attacks of later modules must not see it)."""
    box.client.close()
    box.server.stop()
    shutil.rmtree(DROP, ignore_errors=True)


def dropped() -> str:
    """Everything the attacks wrote to the drop folder."""
    return "\n".join(p.read_text(errors="replace") for p in DROP.glob("*.txt"))


def alive(pid: int) -> bool:
    """Whether a process exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"
