"""``redisprep size`` as a user types it: help with examples, the table, --json, and bad input."""

from __future__ import annotations

import json
from typing import Any

import pytest

from redisprep.sizing import build_shape, estimate

NO_SERVER = {"REDISPREP_URL": "", "REDIS_URL": ""}


def test_help_shows_examples(invoke: Any) -> None:
    result = invoke("size", "--help")
    assert result.exit_code == 0
    assert "redisprep size zset --members 10M --member-bytes 16" in result.stdout
    assert "redisprep size string --keys 100k --key-bytes 12 --value-bytes 100" in result.stdout


def test_the_table_shows_the_working_encoding_total_and_source(invoke: Any) -> None:
    result = invoke(
        "size", "string", "--keys", "100k", "--key-bytes", "12", "--value-bytes", "100", env=NO_SERVER
    )
    assert result.exit_code == 0, result.stderr
    expected = estimate(build_shape("string", {"keys": "100k", "key_bytes": "12", "value_bytes": "100"}))
    out = result.stdout
    assert "raw" in out and "100 B > 44 B" in out
    assert f"{expected.total_bytes:,} B" in out
    assert "key names" in out and "keyspace buckets" in out and "131,072" in out  # 2^17 buckets
    assert "Source: model of Redis 7.0" in out


def test_json_is_the_estimate_with_its_working(invoke: Any) -> None:
    result = invoke("size", "zset", "--members", "10M", "--member-bytes", "16", "--json", env=NO_SERVER)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["kind"] == "zset" and data["encoding"] == "skiplist" and data["source"] == "model"
    assert data["shape"]["keys"] == 1 and data["shape"]["entries_per_key"] == 10_000_000
    assert {"part", "count", "each", "total", "note"} <= set(data["lines"][0])
    assert abs(sum(line["total"] for line in data["lines"]) - data["model_bytes"]) <= len(data["lines"])
    assert data["total_bytes"] == data["model_bytes"] and data["factor"] == 1.0
    assert data["per_entry_bytes"] == pytest.approx(data["total_bytes"] / 10_000_000, abs=0.01)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("zset", "--members", "lots"), "--members: 'lots' is not a count"),
        (("zsets",), "did you mean 'zset'"),
        (("string", "--members", "10"), "--members does not apply to string"),
        (("hash", "--fields", "0"), "--fields must be between 1"),
        (("set", "--members", "10", "--member-bytes", "30", "--integers"), "at most 19 digits"),
        (("geo", "--measure", "--url", "redis://localhost:1"), "use one"),
    ],
)
def test_bad_input_is_one_error_line_and_exit_2(invoke: Any, args: tuple[str, ...], says: str) -> None:
    result = invoke("size", *args, env=NO_SERVER)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and says in lines[0], result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_an_unreachable_url_is_one_line_exit_4_without_the_password(invoke: Any) -> None:
    result = invoke("size", "zset", "--members", "1k", "--url", "redis://:hunter2secret@127.0.0.1:1")
    assert result.exit_code == 4
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: cannot reach")
    assert "hunter2secret" not in result.stdout + result.stderr
