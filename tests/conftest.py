"""Shared fixtures: both backends, a redis-server the suite starts itself, and a CLI runner.

Live tests run against a redis-server started here on a free loopback port (stopped by PID), or
against ``--redis-url``. A server given with ``--redis-url`` is never flushed. The server binary is
``redis-server`` on PATH, or ``$REDISPREP_SERVER`` (with ``$REDISPREP_SERVER_ARGS``), which is how
the server matrix runs the suite against Redis 6.2, Valkey 8.1 and Redis with modules.

Without a server binary, every test that needs one is skipped, wherever it asks for it (a fixture or
the test body), and the summary says how many. With ``REDISPREP_REQUIRE_LIVE=1`` (set by CI) every
skip is a failure, unless its reason is on the reasoned allowlist in ``tests/skips_allowed.txt``.
"""

from __future__ import annotations

import io
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from locked_server import LOCK, GradedOn, locked_url
from rich.console import Console
from typer.testing import CliRunner

from redisprep.backends import Backend, connect
from redisprep.cli import app
from redisprep.cli._context import AppContext
from redisprep.localserver import LocalServer, ServerBinaryMissingError, find_binary, start_server


def _deliver_interrupts_to_children() -> None:
    """Let the programs the tests start receive Ctrl-C and SIGHUP, whoever started the suite.

    A suite started in the background of a non-interactive shell (``cmd &``, nohup, some CI
    runners) inherits SIGINT (and with nohup SIGHUP) as *ignored*; a child exec'd from it keeps
    that, so the tests that send Ctrl-C to a drill would see it run to the end. A handler of our
    own is reset to the default by exec, which is what a user's terminal gives.
    """
    import signal

    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if signal.getsignal(signal.SIGHUP) is signal.SIG_IGN:
        signal.signal(signal.SIGHUP, lambda *_: None)  # the suite itself still outlives a hang-up


_deliver_interrupts_to_children()

REQUIRE_LIVE = os.environ.get("REDISPREP_REQUIRE_LIVE") == "1"
ALLOWLIST = Path(__file__).with_name("skips_allowed.txt")
NO_SERVER = "no server binary"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--redis-url", default=None, help="run live tests against this server (never flushed)")


#: Fixtures that start a server (or reach one): a test asking for any of them is a live test.
SERVER_FIXTURES = frozenset({"live", "locked", "fresh_server", "module_server", "password_server", "sandbox"})
CLUSTER_FIXTURES = frozenset({"cluster", "replicated_cluster", "cluster_backend"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses a server fixture ``live`` (or ``cluster``), so ``-m`` selects it."""
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if names & CLUSTER_FIXTURES and item.get_closest_marker("cluster") is None:
            item.add_marker(pytest.mark.cluster)
        elif names & SERVER_FIXTURES and item.get_closest_marker("live") is None:
            item.add_marker(pytest.mark.live)


def pytest_report_header(config: pytest.Config) -> str:
    try:
        binary = find_binary()
    except ServerBinaryMissingError as exc:
        return f"live server: none ({exc}); tests that need one are skipped"
    version = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.strip()
    extra = os.environ.get("REDISPREP_SERVER_ARGS", "")
    return f"live server: {binary} ({version}){' ' + extra if extra else ''}"


def allowed_skips() -> list[str]:
    """Skip reasons CI accepts: one substring per line of tests/skips_allowed.txt, after '#' comments."""
    lines = (line.split("#", 1)[0].strip() for line in ALLOWLIST.read_text().splitlines())
    return [line for line in lines if line]


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    return str(longrepr[2] if isinstance(longrepr, tuple) else longrepr)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if call.excinfo is not None and call.excinfo.errisinstance(ServerBinaryMissingError):
        # A test that needs a server binary and has none is skipped, wherever it asked for one.
        path, line = item.location[0], (item.location[1] or 0) + 1
        report.outcome = "skipped"
        report.longrepr = (path, line, f"Skipped: {NO_SERVER}: {call.excinfo.value}")
    if REQUIRE_LIVE and report.skipped:
        reason = _skip_reason(report)
        if not any(allowed in reason for allowed in allowed_skips()):
            report.outcome = "failed"
            allowlist = ALLOWLIST.name
            report.longrepr = (
                f"skipped, but REDISPREP_REQUIRE_LIVE=1 allows no skip outside {allowlist}: {reason}"
            )


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Skips grouped by reason, with the count of tests that wanted a server binary."""
    reasons = [_skip_reason(r) for r in terminalreporter.stats.get("skipped", [])]
    if not reasons:
        return
    terminalreporter.section("skipped, by reason")
    missing = sum(NO_SERVER in r for r in reasons)
    if missing:
        terminalreporter.write_line(
            f"{missing} of {len(reasons)} skipped tests need a server binary: install redis-server "
            "(apt-get install redis-server) or set REDISPREP_SERVER to run them"
        )
    allowed = allowed_skips()
    for reason in sorted(set(reasons)):
        mark = " (allowlisted)" if any(a in reason for a in allowed) else ""
        terminalreporter.write_line(f"{reasons.count(reason):5} x {reason}{mark}")


@dataclass
class LiveTarget:
    url: str
    server: LocalServer | None  # None when the user passed --redis-url: never flush it

    @property
    def disposable(self) -> bool:
        return self.server is not None


@pytest.fixture(scope="session")
def live(request: pytest.FixtureRequest) -> Iterator[LiveTarget]:
    """A live Redis for the whole session."""
    url = request.config.getoption("--redis-url")
    if url:
        yield LiveTarget(url, None)
        return
    server = start_server(die_with_parent=True)  # a killed test run leaves no orphan server
    yield LiveTarget(server.url, server)
    server.stop()


@pytest.fixture(scope="session")
def locked() -> Iterator[LiveTarget]:
    """A live Redis whose every user needs a password: the grader only grades with --url there."""
    server = start_server(password=LOCK, die_with_parent=True)
    yield LiveTarget(locked_url(server), server)
    server.stop()


@pytest.fixture(params=["fake", pytest.param("live", marks=pytest.mark.live)])
def graded(request: pytest.FixtureRequest) -> Iterator[GradedOn]:
    """The embedded backend (no --url), and a locked live server (--url grades only there)."""
    url = None if request.param == "fake" else request.getfixturevalue("locked").url
    b = connect(url)
    yield GradedOn(url, b)
    b.close()


@pytest.fixture
def fresh_server() -> Iterator[LocalServer]:
    """A redis-server of this test's own (for killing it, passwords, foreign data)."""
    server = start_server(die_with_parent=True)  # a killed test run leaves no orphan server
    yield server
    server.stop()


@pytest.fixture(params=["fake", pytest.param("live", marks=pytest.mark.live)])
def backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    """The embedded fakeredis, and a live redis-server."""
    if request.param == "fake":
        b = connect(None)
    else:
        target: LiveTarget = request.getfixturevalue("live")
        b = connect(target.url)
    yield b
    b.close()


@dataclass
class Invocation:
    exit_code: int
    stdout: str
    stderr: str
    exception: BaseException | None


@pytest.fixture
def invoke() -> Any:
    """Run the CLI in-process with captured consoles: ``invoke("drill", "list")``."""

    def run(*args: str, catch: bool = True, env: dict[str, str] | None = None) -> Invocation:
        out, err = io.StringIO(), io.StringIO()
        obj = AppContext(
            console=Console(file=out, width=120, color_system=None, highlight=False),
            err_console=Console(file=err, width=120, color_system=None, highlight=False),
        )
        result = CliRunner().invoke(app, list(args), obj=obj, catch_exceptions=catch, env=env)
        return Invocation(result.exit_code, out.getvalue() + result.stdout, err.getvalue(), result.exception)

    return run


@pytest.fixture(autouse=True)
def _small_workloads(monkeypatch: pytest.MonkeyPatch) -> None:
    """The single-thread drill on its small workload: the same steps and checks in a few seconds."""
    monkeypatch.setenv("REDISPREP_SINGLE_THREAD_SIZE", "small")


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep every test's user state (quiz progress, practice hints, cluster state) out of ~."""
    monkeypatch.setenv("REDISPREP_HOME", str(tmp_path_factory.mktemp("home")))
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)


@pytest.fixture
def quiz_store(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A private quiz progress store (never the user's own), and no extra deck folders."""
    path = tmp_path / "progress.sqlite3"
    monkeypatch.setenv("REDISPREP_QUIZ_STORE", str(path))
    monkeypatch.delenv("REDISPREP_DECKS", raising=False)
    return path


def _start_cluster(replicas: int) -> Any:
    from redisprep.cluster.local import start_cluster

    return start_cluster(3, replicas, die_with_parent=True)  # a killed test run leaves no orphan node


@pytest.fixture(scope="session")
def cluster() -> Iterator[Any]:
    """A 3-master Redis Cluster for the session (redis-cli --cluster create), stopped by PID."""
    started = _start_cluster(0)
    yield started
    started.stop()


@pytest.fixture(scope="session")
def replicated_cluster() -> Iterator[Any]:
    """3 masters with 1 replica each, for the tests that read from replicas; stopped by PID."""
    started = _start_cluster(1)
    yield started
    started.stop()


@pytest.fixture
def cluster_backend(cluster: Any) -> Iterator[Backend]:
    """A backend on the session cluster; disposable, since the suite started it."""
    b = connect(cluster.url, disposable=True)
    yield b
    b.close()


@pytest.fixture(scope="module")
def module_server() -> Iterator[LocalServer]:
    """A redis-server shared by one test module (holding data the module plants), stopped by PID."""
    server = start_server(die_with_parent=True)  # a killed test run leaves no orphan server
    yield server
    server.stop()


@pytest.fixture
def ctx(backend: Backend) -> Iterator[Any]:
    """A drill context (seed 3) on each backend; its namespace is deleted afterwards."""
    from redisprep.backends import delete_namespace
    from redisprep.drills.context import DrillContext

    context = DrillContext.create(backend, seed=3)
    yield context
    delete_namespace(backend.client(), context.ns)
