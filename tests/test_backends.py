"""Backend resolution, URL handling, namespaces, cleanup and fast, one-line connection errors."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
from typing import Any

import pytest
from child_processes import our_servers

from redisprep import localserver
from redisprep.backends import (
    Backend,
    Namespace,
    connect,
    delete_namespace,
    mask_url,
    resolve_url,
    validate_url,
)
from redisprep.cleanup import mark_run, remove_stale_runs
from redisprep.errors import BackendUnavailableError, BadUsageError, ExitCode
from redisprep.localserver import LocalServer, free_port, start_server


def test_url_precedence_is_option_then_redisprep_url_then_redis_url() -> None:
    env = {"REDISPREP_URL": "redis://a:1", "REDIS_URL": "redis://b:2"}
    assert resolve_url("redis://cli:3", env) == "redis://cli:3"
    assert resolve_url(None, env) == "redis://a:1"
    assert resolve_url(None, {"REDIS_URL": "redis://b:2"}) == "redis://b:2"
    assert resolve_url(None, {}) is None


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("redis://:hunter2@host:6379/0", "redis://:***@host:6379/0"),
        ("rediss://user:hunter2@host:6380", "rediss://user:***@host:6380"),
        ("redis://host:6379", "redis://host:6379"),
        # Malformed URLs (found by the URL fuzzer) must not show the password either.
        (":hunter2@", ":***@"),
        ("redis://redis://:hunter2@host", "redis://redis:***@host"),
        ("redis://:pa:ss@host", "redis://:***@host"),
        # An '@' in the path or query is not a password's end: host, port and path stay readable.
        ("redis://host:6379/0?name=a@b", "redis://host:6379/0?name=a@b"),
        # A password given as an option, whichever spelling: its name stays, the rest is hidden
        # (a parser might read a '&' in it as part of the password).
        ("redis://h:6379/0?password=s3cret&db=1", "redis://h:6379/0?password=***"),
        ("redis://h:6379/0?db=1&PASSWORD=s3cret", "redis://h:6379/0?db=1&PASSWORD=***"),
        ("redis://@h:6379", "redis://@h:6379"),  # an empty userinfo hides nothing
        # Control characters are shown escaped, so an error line stays one line.
        ("redis://h:6379/\x1b[31m\n", "redis://h:6379/\\x1b[31m\\x0a"),
    ],
)
def test_passwords_are_masked(url: str, shown: str) -> None:
    assert mask_url(url) == shown


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://localhost:6379", "scheme"),
        ("redis://:pw@localhost:99999", "Port out of range"),
        ("redis://localhost:6379/abc", "database must be a number"),
        ("redis://", "no host"),
    ],
)
def test_malformed_urls_are_usage_errors(url: str, problem: str) -> None:
    with pytest.raises(BadUsageError, match=problem) as info:
        validate_url(url)
    assert info.value.exit_code == ExitCode.USAGE
    assert "pw" not in str(info.value)


def test_cluster_scheme_is_recognised() -> None:
    assert validate_url("redis+cluster://127.0.0.1:7000") == ("redis://127.0.0.1:7000", True)


def test_unreachable_server_is_one_backend_error() -> None:
    with pytest.raises(BackendUnavailableError, match="cannot reach redis://127.0.0.1") as info:
        connect(f"redis://127.0.0.1:{free_port()}")
    assert info.value.exit_code == ExitCode.BACKEND
    assert "\n" not in str(info.value)


@pytest.mark.live
def test_live_clients_do_not_retry(live: object) -> None:
    backend = connect(live.url)  # type: ignore[attr-defined]
    client = backend.client()
    retry = client.get_connection_kwargs().get("retry") or client.connection_pool.connection_kwargs["retry"]
    assert retry.get_retries() == 0
    backend.close()


@pytest.mark.live
def test_wrong_password_is_reported_without_the_password() -> None:
    server = start_server(password="right-one")
    try:
        with pytest.raises(BackendUnavailableError, match="authentication failed") as info:
            connect(f"redis://:wrong-one@127.0.0.1:{server.port}")
        assert "wrong-one" not in str(info.value)
        assert "***" in str(info.value)
        assert connect(f"redis://:right-one@127.0.0.1:{server.port}").client().ping()
    finally:
        server.stop()


@pytest.mark.live
def test_a_backend_keeps_its_url_for_workers_but_never_shows_the_password() -> None:
    server = start_server(password="kept-secret")
    try:
        url = f"redis://:kept-secret@127.0.0.1:{server.port}"
        backend = connect(url)
        assert backend.url == url  # what bench workers and redis-benchmark log in with
        assert "kept-secret" not in backend.label
        assert "kept-secret" not in repr(backend) and "kept-secret" not in str(backend)
        assert connect(None).url is None  # nothing another process could reach
        backend.close()
    finally:
        server.stop()


def test_namespace_prefix_has_no_hash_tag_and_records_its_start() -> None:
    ns = Namespace.new(now=1_700_000_000)
    assert ns.prefix.startswith("redisprep:r") and ns.prefix.endswith(":")
    assert "{" not in ns.prefix and "}" not in ns.prefix
    assert ns.key("lb", "scores") == ns.prefix + "lb:scores"
    assert ns.started_at == 1_700_000_000
    assert Namespace.new().run_id != Namespace.new().run_id


def test_embedded_clients_share_one_dataset() -> None:
    backend = connect(None)
    a, b = backend.client(), backend.client()
    a.set("shared", "yes")
    assert b.get("shared") == "yes"
    assert backend.kind == "embedded" and backend.is_simulated
    assert connect(None).client().get("shared") is None  # another run, another server


def test_delete_namespace_removes_only_the_runs_keys(backend: object) -> None:
    client = backend.client()  # type: ignore[attr-defined]
    ns, other = Namespace.new(), Namespace.new()
    client.set(ns.key("a"), 1)
    client.zadd(ns.key("b", "{tag}"), {"m": 1})
    client.set(other.key("a"), 1)
    client.set("user:key", "precious")
    assert delete_namespace(client, ns) == 2
    assert client.get(other.key("a")) == "1"
    assert client.get("user:key") == "precious"
    client.delete(other.key("a"), "user:key")


def test_clean_removes_marked_old_runs_only(backend: Backend) -> None:
    """A run is cleaned when its marker proves it: a name that looks like a run's is not proof."""
    client = backend.client()
    old, recent, unmarked = Namespace.new(now=1_000), Namespace.new(), Namespace.new(now=2_000)
    mark_run(client, old, "drill leaderboard")
    mark_run(client, recent, "drill lock")
    client.set(old.key("x"), 1)
    raw = backend.client(decode_responses=False)
    raw.set(old.prefix.encode() + b"\xff\xfe not utf-8", b"v")  # clean used to crash on this
    client.set(recent.key("x"), 1)
    client.set(unmarked.key("x"), "theirs: named like a run, but no marker")
    forged = Namespace.new(now=3_000)
    client.set(forged.marker, "not a marker's value")  # a marker's name with another value
    client.set(forged.key("x"), "theirs")
    lookalikes = ["redisprep:not-a-run:x", "redisprep:reef", "redisprep:r2", "redisprep:rabc-123456"]
    lookalikes += ["redisprep:r1-xyz123:k", "redisprep:r1-abc:k", "redisprep:R1-ABCDEF:k", "mine"]
    for key in lookalikes:
        client.set(key, 1)
    report = remove_stale_runs(backend, older_than_s=60)
    assert report.removed == {old.run_id: 2} and report.left == {} and report.recent == 1
    assert not client.exists(old.marker, old.key("x"))
    kept = [recent.key("x"), recent.marker, unmarked.key("x"), forged.marker, forged.key("x"), *lookalikes]
    assert client.exists(*kept) == len(kept)
    client.delete(*kept)


def test_a_runs_own_cleanup_removes_its_marker_last(backend: Backend) -> None:
    client = backend.client()
    ns = Namespace.new()
    mark_run(client, ns, "drill strings")
    client.set(ns.key("a"), 1)
    assert delete_namespace(client, ns) == 1 and not client.exists(ns.marker)


@pytest.mark.live
def test_local_server_stops_by_pid(fresh_server: LocalServer) -> None:
    assert fresh_server.alive()
    fresh_server.stop()
    assert not fresh_server.alive()


@pytest.mark.live
def test_an_interrupt_while_a_server_starts_leaves_no_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C (or drill all's stop) while redis-server starts: it is killed and reaped, not left
    to die with this process (a zombie that keeps a stopped process group alive)."""
    ports: list[int] = []
    wait_for_ping = localserver._wait_for_ping

    def answered_then_interrupted(port: int, password: str | None, *args: Any) -> bool:
        ports.append(port)
        assert wait_for_ping(port, password, *args)  # the server is up when the interrupt lands
        raise KeyboardInterrupt

    monkeypatch.setattr(localserver, "_wait_for_ping", answered_then_interrupted)
    before = our_servers()
    with pytest.raises(KeyboardInterrupt):
        start_server(password="p", die_with_parent=True)
    assert our_servers() == before
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", ports[0]), timeout=1).close()


@pytest.mark.live
def test_a_stop_inside_popen_lands_once_the_server_is_ours(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """drill all's stop (SIGUSR1) arriving while Popen still runs: raised after it returns, so the
    server it started is killed and reaped instead of left without anyone knowing its PID."""
    popen = subprocess.Popen
    started: list[int] = []

    def popen_then_stop(*args: Any, **kwargs: Any) -> Any:
        proc = popen(*args, **kwargs)
        started.append(proc.pid)
        os.kill(os.getpid(), signal.SIGUSR1)  # its handler would raise here, inside Popen
        return proc

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(localserver.subprocess, "Popen", popen_then_stop)
    before = our_servers()
    previous = signal.signal(signal.SIGUSR1, stop)
    try:
        with pytest.raises(KeyboardInterrupt):
            start_server(die_with_parent=True)
    finally:
        signal.signal(signal.SIGUSR1, previous)
    assert started and our_servers() == before


def test_a_cluster_over_a_unix_socket_is_one_usage_error(invoke: Any) -> None:
    """redis-py's RedisCluster refuses Unix sockets with an exception that was a traceback."""
    result = invoke("cluster", "slot", "user:1", "--url", "unix:///tmp/redisprep-no-such.sock")
    assert result.exit_code == ExitCode.USAGE, result.stderr
    url = "unix:///tmp/redisprep-no-such.sock"
    assert result.stderr == f"error: {url}: a Redis Cluster is reached over TCP, not a Unix socket\n"
