"""Shared fixtures: both backends, a redis-server the suite starts itself, and a CLI runner.

Live tests run against a redis-server started here on a free loopback port (stopped by PID), or
against ``--redis-url``. A server given with ``--redis-url`` is never flushed. With
``REDISPREP_REQUIRE_LIVE=1`` (set by CI) a skipped live test counts as a failure.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner

from redisprep.backends import Backend, connect
from redisprep.cli import app
from redisprep.cli._context import AppContext
from redisprep.errors import BackendUnsupportedError
from redisprep.localserver import LocalServer, start_server

REQUIRE_LIVE = os.environ.get("REDISPREP_REQUIRE_LIVE") == "1"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--redis-url", default=None, help="run live tests against this server (never flushed)")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if REQUIRE_LIVE and report.skipped and item.get_closest_marker("live") is not None:
        report.outcome = "failed"
        report.longrepr = f"live test skipped but REDISPREP_REQUIRE_LIVE=1: {report.longrepr}"


def skip_or_fail(reason: str) -> None:
    """Skip locally; fail in CI where live tests are mandatory."""
    if REQUIRE_LIVE:
        pytest.fail(f"{reason} (REDISPREP_REQUIRE_LIVE=1)")
    pytest.skip(reason)


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
    try:
        server = start_server()
    except BackendUnsupportedError as exc:
        skip_or_fail(str(exc))
        raise
    yield LiveTarget(server.url, server)
    server.stop()


@pytest.fixture
def fresh_server() -> Iterator[LocalServer]:
    """A redis-server of this test's own (for killing it, passwords, foreign data)."""
    try:
        server = start_server()
    except BackendUnsupportedError as exc:
        skip_or_fail(str(exc))
        raise
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

    try:
        return start_cluster(3, replicas)
    except BackendUnsupportedError as exc:  # redis-server or redis-cli missing
        skip_or_fail(str(exc))
        raise


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
    try:
        server = start_server()
    except BackendUnsupportedError as exc:
        skip_or_fail(str(exc))
        raise
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
