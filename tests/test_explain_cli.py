"""``redisprep explain``: one command explained on the embedded backend, errors, and drill --explain."""

from __future__ import annotations

import json
from typing import Any

import pytest

from redisprep.localserver import free_port


def _json(invoke: Any, *args: str) -> dict[str, Any]:
    result = invoke("explain", *args, "--json", catch=False)
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_zadd_that_crosses_the_threshold(invoke: Any) -> None:
    data = _json(invoke, "ZADD lb 100 alice", "--fill", "128")
    assert data["complexity"] == (
        "O(log(N)) for each item added, where N is the number of elements in the sorted set."
    )
    assert data["letters"]["N"] == {"value": 128, "meaning": "ZCARD lb before the call"}
    assert data["letters"]["items"]["value"] == 1
    lb = data["keys"]["lb"]
    assert (lb["before"]["encoding"], lb["after"]["encoding"]) == ("listpack", "skiplist")
    assert (lb["before"]["size"], lb["after"]["size"]) == (128, 129)
    assert lb["after"]["source"] == "modelled"
    assert lb["after"]["memory"] > 4 * lb["before"]["memory"]
    assert data["executed"] and data["reply"] == "1" and data["round_trips"] == 1
    assert data["latency_ms"] > 0


def test_rich_output_names_every_part(invoke: Any) -> None:
    result = invoke("explain", "ZRANGE lb 0 9 REV WITHSCORES", "--fill", "200", catch=False)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    for part in (
        "N = 200",
        "ZCARD lb before the call",
        "M = 10",
        "elements returned",
        "log(N)+M",
        "skiplist",
        "modelled",
        "1) member:000199",
        "round trip",
    ):
        assert part in out, part


def test_read_of_a_missing_key_and_an_error_reply(invoke: Any) -> None:
    data = _json(invoke, "GET nothing")
    assert data["reply"] == "(nil)" and data["keys"]["nothing"]["before"]["type"] == "none"
    data = _json(invoke, "INCR s", "--fill", "3")  # "xxx" is not an integer
    assert data["error"] and "not an integer" in data["error"]


@pytest.mark.parametrize(
    ("command", "replacement"),
    [
        ("ZREVRANGE lb 0 2", "`ZRANGE` with the `REV` argument"),
        ("GEORADIUS geo 13.36 38.11 100 km", "`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` argument"),
        ("SETNX lock token", "`SET` with the `NX` argument"),
    ],
)
def test_deprecated_commands_name_their_replacement(invoke: Any, command: str, replacement: str) -> None:
    data = _json(invoke, command)
    assert data["deprecation"].startswith("deprecated since ")
    assert replacement in data["deprecation"]


def test_setnx_deprecation_is_cited_as_a_supplement(invoke: Any) -> None:
    data = _json(invoke, "SETNX lock token")
    assert "2.6.12" in data["deprecation"] and "Redis 7.2" in data["deprecation"]


def test_script_calls_are_read_and_costed(invoke: Any) -> None:
    script = "local r = redis.call('ZREVRANK', KEYS[1], ARGV[1]) return redis.call('ZRANGE', KEYS[1], 0, r)"
    data = _json(invoke, f'EVAL "{script}" 1 lb member:000003', "--fill", "10")
    calls = [(c["command"], c["letters"].get("N")) for c in data["script"]]
    assert calls == [("ZREVRANK", 10), ("ZRANGE", 10)]
    assert data["reply"].startswith("[member:000000")


def test_several_words_are_taken_as_arguments(invoke: Any) -> None:
    data = _json(invoke, "HSET", "user:1", "name", "Ann Lee")
    assert data["args"] == ["HSET", "user:1", "name", "Ann Lee"]


@pytest.mark.parametrize(
    ("command", "message"),
    [
        ("ZAD lb 1 a", "error: unknown command 'ZAD'; did you mean 'ZADD'"),
        ("XGROUP CRATE s g $", "error: unknown command 'XGROUP CRATE'; did you mean 'XGROUP CREATE'"),
        ("QQQQQQQQ x", "error: unknown command 'QQQQQQQQ' (not in the COMMAND DOCS of Redis 7.0.15)"),
        ('SET k "unclosed', "error: cannot parse the command: No closing quotation"),
        ("", "error: no command given"),
    ],
)
def test_bad_commands_are_one_line_exit_2(invoke: Any, command: str, message: str) -> None:
    result = invoke("explain", command)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(message)


def test_module_command_the_server_knows_is_run_with_the_modules_docs(invoke: Any) -> None:
    data = _json(invoke, "BF.ADD filter x")  # fakeredis has RedisBloom's commands; Redis 7.0 does not
    assert data["executed"] and data["reply"] == "1"
    assert data["complexity"] == "O(k), where k is the number of hash functions used by the last sub-filter"


def test_connection_commands_are_documented_not_run(invoke: Any) -> None:
    data = _json(invoke, "SUBSCRIBE news")
    assert not data["executed"] and "connection" in data["not_run_because"]
    assert data["complexity"] == "O(N) where N is the number of channels to subscribe to."


def test_unreachable_server_is_exit_4(invoke: Any) -> None:
    result = invoke("explain", "GET k", "--url", f"redis://127.0.0.1:{free_port()}")
    assert result.exit_code == 4 and result.stderr.startswith("error: cannot reach")


def test_a_drill_name_runs_the_drill_explained(invoke: Any) -> None:
    result = invoke("explain", "leaderboard", catch=False)
    assert result.exit_code == 0, result.stderr
    assert "explain: what the run cost" in result.stdout and "commands sent, explained" in result.stdout


def test_drill_explain_annotates_and_summarises(invoke: Any) -> None:
    result = invoke("drill", "leaderboard", "--explain", catch=False)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "N=1000 M=10" in out  # top-K on the 1000-player board
    assert "[pipeline] ZADD" in out and "↳ ZREVRANK (script line 2)" in out
    assert "costliest" in out and "slowest" in out and "round trips" in out
    # The lockstep step sends 1,204 commands; they collapse into one row per command. (The cost
    # summary after the steps may name one again as the slowest: on a loaded machine it can be.)
    steps = out.split("explain: what the run cost")[0]
    assert steps.count("ZSCORE lb:concurrent alice") == 1


def test_drill_explain_json_carries_the_annotations(invoke: Any) -> None:
    result = invoke("drill", "leaderboard", "--explain", "--json", catch=False)
    data = json.loads(result.stdout)
    commands = [c for s in data["steps"] for c in s["commands"]]
    assert all("explain" in c for c in commands)
    top = next(c for c in commands if c["args"][0] == "ZRANGE" and c["operation"] == "top-K")
    assert top["explain"]["letters"]["N"]["value"] == 1000 and top["explain"]["letters"]["M"]["value"] == 10
    assert data["explain"]["commands"] == len(commands)
    assert data["explain"]["state_source"] == "modelled"


def test_explain_help_imports_no_backend_library() -> None:
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "redisprep", "explain", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0 and "--execute" in proc.stdout
    imported = {line.rsplit("|", 1)[1].strip() for line in proc.stderr.splitlines() if "|" in line}
    assert "typer" in imported
    assert not {m for m in imported if m.split(".")[0] in ("redis", "fakeredis", "yaml", "fsrs", "hdrh")}


def test_a_wrong_call_shows_the_servers_error_reply(invoke: Any) -> None:
    data = _json(invoke, "GET")
    assert data["executed"] and "wrong number of arguments" in data["error"]
