"""A drill declares the Redis it needs; an older server, or one without a command, is refused up front.

No Redis older than 7.0 is installed here, so "older" is made three honest ways: fakeredis told
to imitate 6.0 (it really rejects some 7.0 commands, such as SINTERCARD), a live 7.0 whose reported
version is replaced at the Backend level (the check reads only ``backend.version``), and a live
server with a command renamed away (``--rename-command``, as managed services do).
The declarations themselves are checked against what each drill really makes a live server run.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import fakeredis
import pytest
import redis
from locked_server import LOCK, locked_url

import redisprep
from redisprep import backends, resources
from redisprep.backends import Backend, connect
from redisprep.drills import drill_names, get_drill, run_drill
from redisprep.errors import BackendUnsupportedError, ExitCode
from redisprep.explain.script import read_script
from redisprep.explain.tracing import Tracer
from redisprep.features import FEATURES
from redisprep.knowledge.commands import command_doc
from redisprep.localserver import LocalServer, start_server
from redisprep.release import Release

#: redisprep itself needs 6.0 (redis-py speaks RESP3, which starts with HELLO).
FLOOR = (6, 0, 0)
NEEDY = [n for n in drill_names() if get_drill(n).drill.needs.version]
REFERENCE_DIR = resources.drills_dir(None).parent / "redisprep" / "drills"


def version(text: str) -> tuple[int, ...]:
    return padded(tuple(int(p) for p in text.split(".")))


def padded(numbers: tuple[int, ...]) -> tuple[int, ...]:
    """``(6, 2)`` as ``(6, 2, 0)``, so versions compare as Redis numbers them."""
    return numbers + (0,) * (3 - len(numbers))


def fake_redis_6() -> Backend:
    """fakeredis imitating Redis 6.0: the version it reports, and the 7.0 commands it refuses."""
    server = fakeredis.FakeServer(version=(6, 0))
    return Backend(
        kind="embedded",
        label="fakeredis imitating Redis 6.0",
        version=(6, 0),
        disposable=True,
        _factory=lambda **o: fakeredis.FakeRedis(server=server, **{"decode_responses": True, **o}),
    )


def test_fakeredis_imitating_6_0_really_lacks_7_0_commands() -> None:
    with pytest.raises(redis.ResponseError, match="unknown command"):
        fake_redis_6().client().execute_command("SINTERCARD", "1", "k")


@pytest.mark.parametrize("name", NEEDY)
def test_a_drill_refuses_an_older_server_before_writing_anything(name: str) -> None:
    old = fake_redis_6()
    needs = get_drill(name).drill.needs
    if needs.version <= old.version:
        old = dataclasses.replace(old, version=(5, 0, 14))
    with pytest.raises(BackendUnsupportedError) as info:
        run_drill(name, old)
    dotted = ".".join(map(str, needs.version))
    assert str(info.value).startswith(f"the {name} drill needs Redis {dotted} or later ({needs.why}); ")
    assert info.value.exit_code == ExitCode.BACKEND
    assert list(old.client().scan_iter()) == []


@pytest.mark.live
@pytest.mark.parametrize(
    ("argv", "needed"),
    [
        (["drill", "sets"], "needs Redis 6.2 or later (SMISMEMBER)"),
        (["explain", "leaderboard"], "needs Redis 6.2 or later (ZRANGE with REV and BYSCORE)"),
        (
            [
                "practice",
                "check",
                "event-sourcing",
                "--impl",
                str(REFERENCE_DIR / "event_sourcing" / "reference.py"),
            ],
            "6.2",
        ),
    ],
)
def test_the_cli_names_what_an_old_server_lacks(
    argv: list[str], needed: str, locked: Any, invoke: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backends, "_server_release", lambda _client: Release.redis(6, 0, 16))
    result = invoke(*argv, "--url", locked.url)  # practice --url grades only behind passwords
    lines = result.stderr.splitlines()
    assert result.exit_code == ExitCode.BACKEND, result.stderr
    assert len(lines) == 1 and needed in lines[0] and "is 6.0.16" in lines[0], lines


@pytest.fixture(scope="module")
def no_xautoclaim() -> Iterator[LocalServer]:
    server = start_server("--rename-command", "XAUTOCLAIM", "", password=LOCK)
    yield server
    server.stop()


@pytest.mark.live
@pytest.mark.parametrize("command", ["drill", "practice"])
def test_a_server_with_a_needed_command_disabled_is_refused_up_front(
    command: str, no_xautoclaim: LocalServer, invoke: Any
) -> None:
    argv = ["drill", "event-sourcing"]
    if command == "practice":
        argv = [
            "practice",
            "check",
            "event-sourcing",
            "--impl",
            str(REFERENCE_DIR / "event_sourcing" / "reference.py"),
        ]
    result = invoke(*argv, "--url", locked_url(no_xautoclaim))
    assert result.exit_code == ExitCode.BACKEND, result.stderr
    assert result.stderr.startswith("error: the event-sourcing drill needs XAUTOCLAIM, which redis://")
    assert result.stderr.count("\n") == 1
    assert list(redis.Redis(port=no_xautoclaim.port, password=LOCK).scan_iter()) == []


# -- the declarations match what the drills send ---------------------------------------------------


@functools.cache
def option_versions() -> dict[tuple[str, str], tuple[int, ...]]:
    """(command, OPTION) -> the Redis version that added it, from COMMAND DOCS' history entries."""
    table = json.loads((Path(redisprep.__file__).parent / "knowledge/data/commands.json").read_text())[
        "commands"
    ]
    out: dict[tuple[str, str], tuple[int, ...]] = {}
    for name, doc in table.items():
        for since, text in doc.get("history") or ():
            for token in re.findall(r"`([A-Z][A-Z_|]+)`", text):
                for option in token.split("|"):
                    key = (name, option)
                    out[key] = min(out.get(key, version(since)), version(since))
    return out


def options_used(name: str, argv: list[str]) -> set[tuple[str, tuple[int, ...]]]:
    """The options in one command line that are newer than the command, with their versions."""
    found = {
        (f"{name} {a.upper()}", option_versions()[(name, a.upper())])
        for a in argv
        if (name, a.upper()) in option_versions()
    }
    if name in ("XRANGE", "XREVRANGE", "XPENDING") and any(a.startswith("(") for a in argv):
        found.add((f"{name} exclusive range", (6, 2)))
    return found


@pytest.fixture(scope="module")
def stats_server() -> Iterator[LocalServer]:
    """A server of this module's own: its command statistics are reset for each drill."""
    server = start_server()
    yield server
    server.stop()


def commands_run(admin: redis.Redis) -> set[str]:
    """The commands the server counted since its statistics were reset (``COMMAND SUB`` form)."""
    return {k.removeprefix("cmdstat_").replace("|", " ").upper() for k in admin.info("commandstats")}


@functools.cache
def handshake(port: int) -> frozenset[str]:
    """What redis-py itself sends when it connects (CLIENT SETINFO where the server knows it, 7.2+
    and Valkey), measured on a server with fresh statistics: no drill chooses those."""
    admin = redis.Redis(port=port, decode_responses=True)
    admin.config_resetstat()
    redis.Redis(port=port).ping()
    return frozenset(commands_run(admin) - {"PING"})


@pytest.mark.live
@pytest.mark.parametrize("name", drill_names())
def test_a_drill_declares_every_command_and_option_newer_than_6_0(
    name: str, stats_server: LocalServer
) -> None:
    admin = redis.Redis(port=stats_server.port, decode_responses=True)
    ignored = handshake(stats_server.port) | {"CONFIG RESETSTAT", "INFO"}
    admin.config_resetstat()
    tracer = Tracer()
    run_drill(name, connect(stats_server.url, disposable=True), tracer=tracer)
    needs = get_drill(name).drill.needs
    declared = padded(needs.version) if needs.version else FLOOR
    # Steps that probe for a feature and skip without it may use what the feature covers.
    probed = {what for feature in needs.optional for what in FEATURES[feature].covers}
    newer: dict[str, tuple[int, ...]] = {}
    for command in commands_run(admin) - ignored - probed:
        doc = command_doc(command)
        assert doc is not None, command
        if version(doc.since) > FLOOR:
            newer[command] = version(doc.since)
            assert command in needs.commands, (
                f"{name} runs {command} (Redis {doc.since}) but does not declare it"
            )
    for traced in tracer.commands:
        argv = traced.argv
        newer.update(options_used(traced.name, argv[1:]))
        if traced.name in ("EVAL", "EVALSHA", "SCRIPT LOAD") and len(argv) > 1:
            for call in read_script(argv[2] if traced.name == "SCRIPT LOAD" else argv[1]):
                if call.command is not None:
                    literals = [a.strip("'\"") for a in call.args[1:]]
                    newer.update(options_used(call.command, literals))
    too_new = {what: v for what, v in newer.items() if v > declared and what not in probed}
    assert not too_new, f"{name} declares {declared} but uses {too_new}"


@pytest.mark.cluster
def test_command_probes_work_on_a_cluster(cluster_backend: Backend) -> None:
    # A cluster client cannot route the keyless COMMAND INFO by itself; this used to raise.
    assert cluster_backend.has_command("xautoclaim") and not cluster_backend.has_command("no-such-command")


@pytest.mark.cluster
@pytest.mark.parametrize("name", ["hashes", "bloom", "time-series"])
def test_drills_that_probe_for_commands_run_on_a_cluster(name: str, cluster_backend: Backend) -> None:
    report = run_drill(name, cluster_backend)
    assert report.ok, [c for c in report.checks if not c.as_expected]
