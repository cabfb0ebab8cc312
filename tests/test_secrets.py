"""A password given in a URL or an environment variable never appears in anything redisprep writes.

Every command that takes a server runs as a real process against a redis-server with
``requirepass``: with the password in ``--url``, in ``$REDISPREP_URL`` and in ``$REDIS_URL``, on
success paths and error paths (a wrong password, ``--debug`` tracebacks, a server killed mid-run,
a learner module that prints its environment). Then every byte written to stdout and stderr, and
every file under the run's home, working and temporary folders (JSON, JUnit, the step summary,
practice state), is searched for the password, raw and URL-encoded.
"""

from __future__ import annotations

import importlib.util
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest

from redisprep.drills import get_drill
from redisprep.localserver import LocalServer, start_server

pytestmark = pytest.mark.live

PASSWORD = f"Zq7-{secrets.token_hex(8)}@pw!"
WRONG = f"Wr0ng-{secrets.token_hex(8)}:pw"
FIXTURES = Path(__file__).parent / "fixtures" / "practice"


def _forms(secret: str) -> list[bytes]:
    return [secret.encode(), quote(secret, safe="").encode()]


SECRETS = _forms(PASSWORD) + _forms(WRONG)


def _reference(drill: str) -> str:
    spec = importlib.util.find_spec(get_drill(drill).drill.reference)
    assert spec is not None and spec.origin is not None
    return spec.origin


@dataclass
class Sandbox:
    """Folders a run may write to, and every byte its processes printed."""

    root: Path
    server: LocalServer
    printed: list[bytes] = field(default_factory=list)
    runs: int = 0

    def url(self, password: str = PASSWORD) -> str:
        return f"redis://:{quote(password, safe='')}@127.0.0.1:{self.server.port}"

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("REDISPREP_URL", "REDIS_URL")}
        env.update(
            HOME=str(self.root / "home"),
            REDISPREP_HOME=str(self.root / "home" / "redisprep"),
            XDG_DATA_HOME=str(self.root / "home" / "data"),
            TMPDIR=str(self.root / "tmp"),
            GITHUB_STEP_SUMMARY=str(self.root / "work" / "summary.md"),
            REDISPREP_QUIZ_STORE=str(self.root / "home" / "quiz.sqlite3"),
            COLUMNS="100",
            PYTHONUNBUFFERED="1",
        )
        env.update(extra)
        return env

    def run(self, *args: str, code: int = 0, stdin: str = "", **env: str) -> str:
        """Run ``redisprep ARGS``; keep what it printed; check its exit code; return its output."""
        proc = subprocess.run(
            [sys.executable, "-m", "redisprep", *args],
            input=stdin.encode(),
            capture_output=True,
            env=self.env(**env),
            cwd=self.root / "work",
            timeout=120,
        )
        self.printed += [proc.stdout, proc.stderr]
        self.runs += 1
        text = (proc.stdout + proc.stderr).decode("utf-8", "replace")
        assert proc.returncode == code, (args, text[-3000:])
        return text

    def files(self) -> list[Path]:
        return [p for p in self.root.rglob("*") if p.is_file()]


@pytest.fixture(scope="module")
def pw_server() -> Iterator[LocalServer]:
    """The module's redis-server with ``requirepass``, shared by the tests that leave it running."""
    server = start_server(password=PASSWORD)
    yield server
    server.stop()


def _sandbox(root: Path, server: LocalServer) -> Sandbox:
    for folder in ("home", "work", "tmp"):
        (root / folder).mkdir()
    return Sandbox(root, server)


@pytest.fixture
def sandbox(tmp_path: Path, pw_server: LocalServer) -> Iterator[Sandbox]:
    """Folders of this test's own on the module's server; afterwards nothing written holds a secret.

    Each test checks its own output and files, in any order: no test needs another to have run.
    """
    box = _sandbox(tmp_path, pw_server)
    yield box
    _assert_nothing_leaked(box)


def _assert_nothing_leaked(box: Sandbox) -> None:
    files = box.files()
    written = [(f"file {p.relative_to(box.root)}", p.read_bytes()) for p in files]
    written += [(f"output {i}", b) for i, b in enumerate(box.printed)]
    leaks = [(where, s) for where, data in written for s in SECRETS if s in data]
    assert leaks == []
    # Premise: the search had something to search (commands ran and printed).
    assert box.runs > 0 and sum(len(d) for _, d in written) > 0


def test_password_in_the_url(sandbox: Sandbox) -> None:
    url, work = sandbox.url(), sandbox.root / "work"
    out = sandbox.run("drill", "leaderboard", "--url", url)
    assert "redis://:***@127.0.0.1" in out
    sandbox.run("drill", "leaderboard", "--url", url, "--explain", "--json")
    sandbox.run("explain", "ZADD lb 1 alice", "--url", url, "--execute", "--json")
    sandbox.run("explain", "GET greeting", "--url", url)
    sandbox.run(
        "bench", "--url", url, "--requests", "100", "--connections", "2", "--players", "100",
        "--queries", "10", "--json",
    )  # fmt: skip
    sandbox.run("practice", "start", "leaderboard", str(work / "practice"))
    sandbox.run(
        "practice", "check", "leaderboard", "--impl", _reference("leaderboard"), "--url", url,
        "--junit", str(work / "ok.xml"), "--json", str(work / "ok.json"),
    )  # fmt: skip
    failing = str(FIXTURES.parent.parent.parent / "drills" / "leaderboard" / "wrong" / "read_modify_write.py")
    out = sandbox.run(
        "practice", "check", "leaderboard", "--impl", failing, "--url", url,
        "--junit", str(work / "bad.xml"), "--json", str(work / "bad.json"), code=1,
    )  # fmt: skip
    assert "reproduce: redisprep practice check leaderboard" in out
    sandbox.run("practice", "list")
    sandbox.run("clean", "--url", url, "--older-than", "0")
    sandbox.run("cluster", "slot", "user:{42}", "cart:{42}", "--url", url, code=4)  # not a cluster
    # The leak search (the fixture's, afterwards) covers every kind of file the runs write.
    assert {"ok.xml", "ok.json", "bad.xml", "bad.json", "summary.md"} <= {p.name for p in sandbox.files()}


def test_password_in_the_environment(sandbox: Sandbox) -> None:
    work = sandbox.root / "work"
    leaky = str(FIXTURES / "hostile" / "prints_environment.py")
    for variable in ("REDISPREP_URL", "REDIS_URL"):
        env = {variable: sandbox.url()}
        out = sandbox.run("drill", "lock" if variable == "REDIS_URL" else "leaderboard", **env)
        assert "redis://:***@127.0.0.1" in out
        sandbox.run("explain", "HGETALL h", "--json", **env)
        # Learner code that prints the environment finds no URL: the grader keeps it from the code.
        printed = sandbox.run(
            "practice", "check", "leaderboard", "--impl", leaky, "--only", "leaderboard.top_k", **env
        )
        assert "1 of 1 checks passed" in printed  # its top() ran, printing whatever it could see
    env = {"REDIS_URL": sandbox.url()}
    sandbox.run("bench", "--requests", "100", "--players", "0", "--queries", "10", **env)
    sandbox.run(
        "practice", "check", "lock", "--impl", _reference("lock"),
        "--junit", str(work / "env.xml"), "--json", str(work / "env.json"), **env,
    )  # fmt: skip
    sandbox.run("clean", **env)
    sandbox.run("quiz", "stats", "--json", **env)
    assert {"env.xml", "env.json"} <= {p.name for p in sandbox.files()}


def test_error_paths(sandbox: Sandbox) -> None:
    wrong = sandbox.url(WRONG)
    for args in (
        ["drill", "leaderboard", "--url", wrong],
        ["explain", "GET x", "--url", wrong],
        ["practice", "check", "leaderboard", "--impl", _reference("leaderboard"), "--url", wrong],
        ["clean", "--url", wrong],
        ["bench", "--url", wrong, "--requests", "100"],
    ):
        out = sandbox.run(*args, code=4)
        assert "error: authentication failed for redis://:***@127.0.0.1" in out
    sandbox.run("drill", "leaderboard", code=4, REDIS_URL=wrong)
    sandbox.run("drill", "leaderboard", "--url", f"redis://127.0.0.1:{sandbox.server.port}", code=4)
    # --debug shows the traceback instead of one line: still no password in it.
    out = sandbox.run("--debug", "drill", "leaderboard", "--url", wrong, code=1)
    assert "Traceback" in out
    sandbox.run("drill", "leaderboard", "--url", f"redis://:{PASSWORD}@127.0.0.1:99999", code=2)


@pytest.fixture
def doomed(tmp_path: Path) -> Iterator[Sandbox]:
    """A sandbox on a server of this test's own, which it kills: the module's server stays up."""
    server = start_server(password=PASSWORD)
    box = _sandbox(tmp_path, server)
    yield box
    server.stop()
    _assert_nothing_leaked(box)


def test_server_killed_mid_run(doomed: Sandbox) -> None:
    sandbox = doomed
    url = sandbox.url()
    proc = subprocess.Popen(
        [sys.executable, "-m", "redisprep", "drill", "cache"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=sandbox.env(REDISPREP_URL=url),
        cwd=sandbox.root / "work",
    )
    assert proc.stdout is not None
    head = b""
    for line in proc.stdout:
        head += line
        if "╭─ 1/".encode() in line:
            break
    sandbox.server.kill()
    rest, err = proc.communicate(timeout=60)
    sandbox.printed += [head, rest, err]
    assert proc.returncode == 4, err
    assert err.decode().startswith("error: ") and len(err.decode().splitlines()) == 1
    sandbox.run("practice", "check", "lock", "--impl", _reference("lock"), "--url", url, code=4)
    sandbox.run("explain", "GET x", code=4, REDIS_URL=url)
    sandbox.run("clean", "--url", url, code=4)
