"""The single-thread drill: says so on the embedded backend, measures on a private server with --url.

Timing claims are the drill's own checks; these tests only check that it runs, reports every slow
command and both checks, and leaves no key on the user's server and no redis-server behind.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import redis
from child_processes import our_servers

from redisprep import signals
from redisprep.backends import connect
from redisprep.drills.breaker import Breaker
from redisprep.drills.single_thread import lab as lb
from redisprep.drills.single_thread import workload
from redisprep.errors import ExitCode
from redisprep.private import open_private

SLOW_COMMANDS = {"(idle)", "KEYS", "DEL", "UNLINK", "EVAL", "ZUNIONSTORE"}


def test_the_embedded_backend_says_it_cannot_show_this(invoke: Any) -> None:
    before = our_servers()
    result = invoke("drill", "single-thread", "--json", catch=False)
    assert result.exit_code == ExitCode.OK
    report = json.loads(result.stdout)
    first, second, third, fourth = report["steps"]
    assert "cannot show this" in first["skipped"]
    assert "--url" in first["skipped"]
    assert second["skipped"]
    assert third["skipped"] is None and "io-threads" in " ".join(third["narration"])
    assert fourth["skipped"] is None and fourth["command_count"] > 0
    assert our_servers() == before


@pytest.mark.live
def test_on_a_live_server_every_slow_command_is_measured(invoke: Any, live: Any) -> None:
    assert workload.workload() == workload.SMALL  # the suite's size (conftest): a few seconds
    user = redis.Redis.from_url(live.url, decode_responses=True)
    keys_before = set(user.scan_iter(match="redisprep:*"))
    before = our_servers()

    result = invoke("drill", "single-thread", "--url", live.url, "--json", catch=False)

    # The checks' verdicts depend on timing on this machine: reported, not asserted.
    assert result.exit_code in (ExitCode.OK, ExitCode.FAILED), result.stderr
    report = json.loads(result.stdout)
    slow, logs, _threads, _unlink = report["steps"]
    table = next(f for f in slow["figures"] if f.get("columns"))
    assert {row[0] for row in table["rows"]} == SLOW_COMMANDS
    for row in table["rows"]:
        assert all(isinstance(v, (int, float)) for v in row[2:]), row
    rows = {row[0]: row for row in table["rows"]}
    assert rows["KEYS"][1] == f"walks {workload.SMALL.keys:,} keys, matches none"
    assert {c["measured"]["members"] for c in slow["checks"]} == {workload.SMALL.set_members}
    ids = [c["id"] for s in report["steps"] for c in s["checks"]]
    assert ids == [
        "single-thread.drop_keeps_gets_fast",
        "single-thread.drop_keeps_gets_fast",
        "single-thread.server_records_it",
    ]
    assert [c["expected"] for c in slow["checks"]] == [False, True]  # DEL shown failing, UNLINK passing
    slowlog = next(f for f in logs["figures"] if f["title"].startswith("SLOWLOG"))
    assert any(str(row[1]).startswith("EVAL") for row in slowlog["rows"])
    assert set(user.scan_iter(match="redisprep:*")) == keys_before
    assert our_servers() == before
    user.close()


@pytest.mark.live
def test_without_a_server_binary_the_measuring_steps_say_why(invoke: Any, live: Any, tmp_path: Path) -> None:
    missing = str(tmp_path / "no-redis-server")
    result = invoke("drill", "single-thread", "--url", live.url, "--json", env={"REDISPREP_SERVER": missing})
    assert result.exit_code == ExitCode.OK, result.stderr
    slow, logs, _threads, _unlink = json.loads(result.stdout)["steps"]
    for step in (slow, logs):
        assert step["skipped"] == "no private redis-server to start"
        assert "REDISPREP_SERVER" in step["narration"][0]


@pytest.mark.live
def test_a_server_that_frees_del_lazily_gets_the_redis_default_back_in_the_lab() -> None:
    # Valkey 8.0 and later start with lazyfree-lazy-user-del yes: DEL of a big set would then
    # show no stall and the naive drop would pass its check. The lab's server is the drill's own.
    private = open_private()
    try:
        client = private.admin.client()
        default = client.config_get(lb.LAZY_USER_DEL)[lb.LAZY_USER_DEL]
        plain = lb.Lab(private, Breaker(connect(None)), workload.SMALL)
        assert plain.lazy_del_default is (default == "yes")
        assert client.config_get(lb.LAZY_USER_DEL) == {lb.LAZY_USER_DEL: "no"}

        client.config_set(lb.LAZY_USER_DEL, "yes")  # as Valkey 8 starts
        lazy = lb.Lab(private, Breaker(connect(None)), workload.SMALL)
        assert lazy.lazy_del_default is True
        assert client.config_get(lb.LAZY_USER_DEL) == {lb.LAZY_USER_DEL: "no"}
        assert private.label.split()[0] in ("redis-server", "valkey-server")
        assert private.label.split()[1] == ".".join(map(str, private.admin.release.version))
    finally:
        private.close()


class _Finalized:
    """An object whose finalizer is interrupted: Python can only print that and drop it."""

    def __del__(self) -> None:
        raise KeyboardInterrupt


@pytest.mark.live
def test_a_ctrl_c_python_swallowed_stops_the_lab_at_its_next_command() -> None:
    before = our_servers()
    with signals.catching_swallowed(), pytest.raises(KeyboardInterrupt):
        with lb.open_lab(Breaker(connect(None)), workload.SMALL) as lab:
            _Finalized()  # dropped at once: its KeyboardInterrupt is kept, not raised here
            lab.fill_strings(10)
            pytest.fail("the lab went on after the Ctrl-C")
    assert our_servers() == before


@pytest.mark.live
def test_an_unknown_size_is_one_usage_error(invoke: Any, live: Any) -> None:
    result = invoke("drill", "single-thread", "--url", live.url, env={workload.SIZE_ENV: "huge"})
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr.strip().splitlines() == [
        f"error: ${workload.SIZE_ENV} is 'huge'; use one of: full, small"
    ]
