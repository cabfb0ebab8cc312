"""explain, tried as a hostile user would, on a server full of someone else's data.

Without --execute the server must see only explain's own reads; with it, the command runs on a
disposable copy. Each case: digest unchanged, nothing left in any database, the forbidden commands
absent from the server's own INFO commandstats, the password in nothing written.
"""

from __future__ import annotations

import pytest
from harness import Foreign

pytestmark = pytest.mark.live

#: What the user's server may receive from explain (INFO commandstats names), whatever is asked.
READS = {
    "auth", "ping", "info", "client|setinfo", "type", "object|encoding", "memory|usage", "strlen", "llen",
    "scard", "zcard", "hlen", "xlen", "dbsize", "smismember", "hmget", "zmscore", "dump", "pttl",
    "command|docs", "command|info", "exists",
    "config|resetstat",  # the test's own, just before
}  # fmt: skip

CASES = [
    # (arguments, exit code): the cases first.
    (["SORT list:u1:1 ALPHA STORE str:u2:2", "--execute"], 0),  # overwrote a real key
    (["EVAL \"local c = redis.call c('FLUSHDB') return 1\" 0", "--execute"], 0),  # emptied a db
    (["EVAL \"return redis['call']('FLUSHALL')\" 0", "--execute"], 0),
    (["EVAL_RO \"return redis.call('KEYS', '*')\" 0"], 0),  # ran KEYS on the live server
    (["COPY str:u1:1 str:u1:1:copy DB 3", "--execute"], 0),  # left a key in another database
    (["PFCOUNT hll:u1:1"], 0),  # readonly by its flags, yet it writes
    (["PFCOUNT hll:u1:1", "--execute"], 0),
    (["ZADD zset:u1:1 1 x"], 0),
    (["DEL str:u1:1 hash:u1:1", "--execute"], 0),
    (["RENAME str:u1:1 str:u2:2", "--execute"], 0),
    (["EVAL \"return rawget(redis, 'call')('DEL', 'str:u1:1')\" 0", "--execute"], 2),  # undeclared key
    (["EVAL \"return _G.redis.call('SET', KEYS[1], 'x')\" 1 str:u1:1", "--execute"], 0),
    (["SORT list:u1:1 BY weight_* GET str:* STORE out", "--execute"], 2),
    (["EVALSHA 0123456789012345678901234567890123456789 0", "--execute"], 2),
    (["BLPOP list:u1:1 list:nothing 0", "--execute"], 0),
    (['EVAL "while true do end" 0', "--execute"], 0),  # abandoned after 5 s on the copy
    (["FLUSHALL", "--execute"], 0),
    (["KEYS *"], 0),
    (["SET str:u1:1 x", "--execute", "--fill", "100"], 0),
    (["LPUSH str:u1:1 x"], 0),  # a write on a key of another type: explained, no traceback
    (["HSET list:u1:1 f v", "--execute"], 0),
]


@pytest.mark.parametrize(
    ("args", "code"), CASES, ids=lambda c: " ".join(c) if isinstance(c, list) else str(c)
)
def test_explain_cannot_touch_their_data(foreign: Foreign, args: list[str], code: int) -> None:
    foreign.client.config_resetstat()
    outcome = foreign.run("explain", *args, "--url", foreign.url, name="explain")
    assert outcome.code == code, outcome.stderr[-2000:]
    assert "Traceback" not in outcome.stdout + outcome.stderr
    if code:
        assert len(outcome.stderr.splitlines()) == 1 and outcome.stderr.startswith("error: ")
    stats = {k.removeprefix("cmdstat_"): v for k, v in foreign.client.info("commandstats").items()}
    sent = set(stats)
    allowed = READS
    if "config" in sent:  # before 7.0 commandstats counts by command, not subcommand (CONFIG SET
        assert stats["config"]["calls"] == 1, stats["config"]  # would be a 2nd call after our RESETSTAT)
        allowed = {name.split("|")[0] for name in READS}
    assert sent <= allowed, sent - allowed
    foreign.assert_untouched()
    assert foreign.leaks() == []
