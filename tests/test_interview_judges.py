"""The data-model judges decide by outcome: sound designs pass, near misses fail what they miss."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from redisprep.interview.answers import parse_answers
from redisprep.interview.catalog import load_scenario
from redisprep.interview.grade import grade

ROOT = Path(__file__).resolve().parent.parent
SLIDING_ADMITTED = (
    "EVAL \"redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2]) "
    "local n = redis.call('ZCARD', KEYS[1]) "
    "if n < tonumber(ARGV[4]) then redis.call('ZADD', KEYS[1], ARGV[1], ARGV[3]) "
    "redis.call('PEXPIRE', KEYS[1], ARGV[5]) return n + 1 end return n + 1\" "
    "1 {log} {now_ms} {cutoff_ms} {req} {limit} {window_ms}"
)
CHECK_THEN_SET = (
    "EVAL \"if redis.call('EXISTS', KEYS[1]) == 0 then "
    "return redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end return 0\" 1 {seat} {token} {ttl_ms}"
)


def _ran(scenario: str, keys: dict[str, str], ops: dict[str, Any]) -> dict[str, float]:
    chosen = load_scenario(ROOT / "interviews", scenario, ROOT / "flashcards", ROOT / "drills")
    doc = {"format_version": 1, "scenario": scenario, "data_model": {"keys": keys, "operations": ops}}
    result = grade(chosen, parse_answers(doc, "test"))
    return {r.point.id: r.score for r in result.results if r.how in ("ran", "static")}


@pytest.mark.parametrize(
    ("scenario", "keys", "ops", "expected"),
    [
        pytest.param(
            "leaderboard",
            {"b": "lb"},
            {
                "add": "ZADD {b} INCR {points} {player}",
                "top": "ZREVRANGE {b} 0 {stop}",
                "rank": "ZREVRANK {b} {player}",
            },
            {"top-k": 1, "rank": 1},
            id="leaderboard-zadd-incr-zrevrange",
        ),
        pytest.param(
            "leaderboard",
            {"b": "lb"},
            {
                "add": "ZINCRBY {b} {points} {player}",
                "top": "ZRANGE {b} 0 {stop}",
                "rank": "ZRANK {b} {player}",
            },
            {"top-k": 0, "rank": 0},
            id="leaderboard-ascending-order",
        ),
        pytest.param(
            "rate-limiter",
            {"c": "rl:{user}:{window_id}"},
            {"hit": ["INCR {c}", "PEXPIRE {c} {window_ms}", "GET {c}"]},
            {"edge-exact": 0, "expiry": 1},
            id="limiter-fixed-window-with-expiry",
        ),
        pytest.param(
            "rate-limiter",
            {"log": "rl:{user}"},
            {"hit": SLIDING_ADMITTED},
            {"edge-exact": 1, "expiry": 1},
            id="limiter-script-counting-admitted-only",
        ),
        pytest.param(
            "ticket-reservation",
            {"seat": "seat:{seat}"},
            {"reserve": CHECK_THEN_SET, "release": "DEL {seat}"},
            {"no-double-sell": 1, "lease": 1, "safe-release": 0},
            id="reservation-script-but-unsafe-release",
        ),
        pytest.param(
            "ticket-reservation",
            {"seat": "seat:{seat}"},
            {
                "reserve": ["WATCH {seat}", "MULTI", "SET {seat} {token} PX {ttl_ms}", "EXEC"],
                "release": "DEL {seat}",
            },
            {"no-double-sell": 0},
            id="reservation-watch-without-a-check-re-sells",
        ),
        pytest.param(
            "product-cache",
            {"p": "page:{product}"},
            {
                "read": "GET {p}",
                "fill": ["SET {p} {value}", "EXPIRE {p} {ttl_s}"],
                "invalidate": "UNLINK {p}",
            },
            {"hits": 1, "ttl": 1, "invalidate": 1},
            id="cache-set-then-expire-unlink",
        ),
        pytest.param(
            "drivers-near-me",
            {"d": "drivers"},
            {"update": "GEOADD {d} {lon} {lat} {driver}", "near": "GEORADIUS {d} {lon} {lat} {radius_m} m"},
            {"recall": 1, "no-keys": 1},
            id="proximity-georadius",
        ),
        pytest.param(
            "drivers-near-me",
            {"d": "drivers"},
            {
                "update": "GEOADD {d} {lon} {lat} {driver}",
                "near": "GEOSEARCH {d} FROMLONLAT {lon} {lat} BYRADIUS {radius_km} km COUNT 5",
            },
            {"recall": 0},
            id="proximity-count-too-small",
        ),
        pytest.param(
            "payment-ledger",
            {"log": "ledger", "bal": "balances"},
            {
                "append": [
                    "XADD {log} * account {account} amount {amount}",
                    "HINCRBY {bal} {account} {amount}",
                ],
                "replay": "XRANGE {log} - +",
                "balance": "HGET {bal} {account}",
            },
            {"replay": 0, "log-not-pubsub": 1},
            id="ledger-one-stream-replays-every-account",
        ),
    ],
)
def test_judges_decide_by_outcome(
    scenario: str, keys: dict[str, str], ops: dict[str, Any], expected: dict[str, float]
) -> None:
    scores = _ran(scenario, keys, ops)
    assert {k: scores[k] for k in expected} == expected


def test_a_design_missing_an_operation_is_not_run_and_says_why() -> None:
    scores = _ran(
        "leaderboard", {"b": "lb"}, {"add": "ZINCRBY {b} {points} {player}", "top": "ZRANGE {b} 0 -1"}
    )
    assert scores == {"top-k": 0, "rank": 0}
    chosen = load_scenario(ROOT / "interviews", "leaderboard", ROOT / "flashcards", ROOT / "drills")
    doc = {
        "format_version": 1,
        "scenario": "leaderboard",
        "data_model": {"keys": {"b": "lb"}, "operations": {"add": "ZINCRBY {b} {pts} {player}"}},
    }
    result = grade(chosen, parse_answers(doc, "test"))
    assert "unknown placeholder {pts}" in result.working[-1] and "rank: missing" in result.working[-1]
