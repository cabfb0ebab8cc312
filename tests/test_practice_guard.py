"""Learner code cannot reach keys outside its exercise: the grader's key guard, unit and end to end."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from locked_server import LOCK

from redisprep.backends import Backend, Namespace, connect
from redisprep.errors import ForbiddenCommandError
from redisprep.explain.annotate import key_names
from redisprep.explain.costs import cost_spec
from redisprep.knowledge.keyspecs import command_keys
from redisprep.practice import guard as guard_module
from redisprep.practice.catalog import get_exercise
from redisprep.practice.grade import grade
from redisprep.practice.guard import KeyGuard
from redisprep.release import Release

HOSTILE = Path(__file__).parent / "fixtures" / "practice" / "hostile"
NS = Namespace("r1-abcdef")
P = NS.prefix

#: Calls covering every kind of key spec: fixed index, ranges with steps and negative ends, key
#: counts (numkeys), keywords searched forward (STREAMS, STORE) and backward, and subcommands.
SAMPLES = [
    ["GET", "a"],
    ["SET", "a", "1", "EX", "10"],
    ["MSET", "a", "1", "b", "2", "c", "3"],
    ["MGET", "a", "b", "c"],
    ["DEL", "a", "b"],
    ["RENAME", "a", "b"],
    ["COPY", "a", "b", "REPLACE"],
    ["LMOVE", "a", "b", "LEFT", "RIGHT"],
    ["BLPOP", "a", "b", "0"],
    ["BZPOPMIN", "a", "b", "1"],
    ["SMOVE", "a", "b", "m"],
    ["SINTERSTORE", "d", "a", "b"],
    ["ZUNIONSTORE", "d", "2", "a", "b", "WEIGHTS", "1", "2"],
    ["ZINTER", "2", "a", "b", "WITHSCORES"],
    ["ZDIFFSTORE", "d", "2", "a", "b"],
    ["SINTERCARD", "2", "a", "b", "LIMIT", "1"],
    ["LMPOP", "2", "a", "b", "LEFT"],
    ["BLMPOP", "0", "2", "a", "b", "LEFT"],
    ["ZMPOP", "2", "a", "b", "MIN"],
    ["EVAL", "return 1", "2", "a", "b", "x"],
    ["EVALSHA", "0" * 40, "1", "a", "x"],
    ["XREAD", "COUNT", "2", "STREAMS", "a", "b", "0", "0"],
    ["XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "a", "b", ">", ">"],
    ["XGROUP", "CREATE", "a", "g", "$", "MKSTREAM"],
    ["XAUTOCLAIM", "a", "g", "c", "0", "0-0"],
    ["GEORADIUS", "a", "0", "0", "1", "km", "STORE", "d"],
    ["GEOSEARCHSTORE", "d", "a", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "km"],
    ["BITOP", "AND", "d", "a", "b"],
    ["PFMERGE", "d", "a", "b"],
    ["PFCOUNT", "a", "b"],
    ["OBJECT", "ENCODING", "a"],
    ["MEMORY", "USAGE", "a"],
    ["LCS", "a", "b"],
    ["WATCH", "a", "b"],
    ["EXISTS", "a", "b", "c"],
]


def test_key_positions_match_the_server(live: Any) -> None:
    """Our reading of COMMAND INFO key specs names the same keys as the server's COMMAND GETKEYS.

    Key specs arrived in Redis 7.0, where GETKEYS follows them in order. Redis 6.2 finds keys its
    own older way (ZUNIONSTORE's sources before its destination) and lacks the 7.0 commands: there
    the same keys must be named, in any order, for every command it has.
    """
    client = redis.Redis.from_url(live.url, decode_responses=True)
    ordered = connect(live.url).release.at_least(Release.redis(7, 0))
    compared = 0
    try:
        for argv in SAMPLES:
            ours = command_keys(argv)
            assert ours is not None and ours.complete, argv
            if client.execute_command("COMMAND INFO", argv[0]) in ([None], [], None):
                assert not ordered, f"a 7.0+ server lacks {argv[0]}"
                continue
            server = client.execute_command("COMMAND GETKEYS", *argv)
            named = [argv[p] for p in ours.positions]
            assert (named if ordered else sorted(named)) == (server if ordered else sorted(server)), argv
            compared += 1
    finally:
        client.close()
    assert compared >= len(SAMPLES) - (0 if ordered else 6)


def test_key_specs_agree_with_the_explain_cost_table() -> None:
    """Explain's cost table and the key specs agree; the specs also see optional keys (STORE dest)."""
    compared, same = 0, 0
    for argv in SAMPLES:
        spec = cost_spec(" ".join(argv[:2]) if argv[0] in ("OBJECT", "MEMORY", "XGROUP") else argv[0])
        if spec is None:
            continue
        ours = command_keys(argv)
        assert ours is not None
        explain, specs = set(key_names(spec, argv)), {argv[p] for p in ours.positions}
        assert explain <= specs, argv
        compared += 1
        same += explain == specs
    assert compared >= 25 and same >= compared - 1  # GEORADIUS ... STORE d: explain costs only the source


@pytest.mark.parametrize(
    ("argv", "refused"),
    [
        (["SET", P + "a", "1"], None),
        (["ZUNIONSTORE", P + "d", "2", P + "a", P + "b"], None),
        (["XREAD", "STREAMS", P + "a", "leaderboard", "0", "0"], "key 'leaderboard'"),
        (["EVAL", "return 1", "1", "user:1"], "key 'user:1'"),
        (["MSET", P + "a", "1", "b", "2"], "key 'b'"),
        (["OBJECT", "ENCODING", "a"], "OBJECT ENCODING: key 'a'"),
        (["FLUSHALL"], "FLUSHALL is not allowed"),
        (["FLUSHDB", "ASYNC"], "FLUSHDB is not allowed"),
        (["KEYS", P + "*"], "KEYS is not allowed"),
        (["CONFIG", "SET", "maxmemory", "1"], "CONFIG SET is not allowed"),
        (["CONFIG", "GET", "maxmemory"], "CONFIG GET is not allowed"),
        (["SHUTDOWN", "NOSAVE"], "SHUTDOWN is not allowed"),
        (["DEBUG", "SLEEP", "1"], "DEBUG is not allowed"),
        (["SCRIPT", "FLUSH"], "SCRIPT FLUSH is not allowed"),
        (["FUNCTION", "FLUSH"], "FUNCTION FLUSH is not allowed"),
        (["FUNCTION", "LOAD", "#!lua name=x\n"], "FUNCTION LOAD is not allowed"),
        (["FCALL", "f", "1", P + "a"], "FCALL is not allowed"),
        (["SWAPDB", "0", "1"], "SWAPDB is not allowed"),
        (["SELECT", "1"], "SELECT is not allowed"),
        (["MOVE", P + "a", "1"], "MOVE is not allowed"),
        (["COPY", P + "a", P + "b", "DB", "1"], "COPY ... DB"),
        (["RANDOMKEY"], "RANDOMKEY is not allowed"),
        (["INFO"], "INFO is not allowed"),
        (["SCAN", "0"], "SCAN without MATCH"),
        (["SCAN", "0", "MATCH", "*"], "SCAN without MATCH"),
        (["SCAN", "0", "MATCH", P + "*", "COUNT", "100"], None),
        (
            ["SCAN", "0", "MATCH", "other:*"],
            f"SCAN without MATCH {P}* is not allowed while grading: it reads keys "
            "that are not the exercise's",
        ),
        (["SORT", P + "l", "BY", "weight_*"], "key 'weight_*'"),
        (["SORT", P + "l", "BY", P + "w_*", "GET", "#", "STORE", P + "out"], None),
        (["SORT", P + "l", "STORE", "out"], "key 'out'"),
        (["PUBLISH", "news", "hi"], "channel 'news'"),
        (["PUBLISH", P + "news", "other"], None),  # the message is not a channel
        (["SUBSCRIBE", P + "a", "news"], "SUBSCRIBE: channel 'news' is outside"),
        (["PSUBSCRIBE", "news*"], "PSUBSCRIBE: channel 'news*' is outside"),
        (["SCAN", "0", "COUNT", "10", "MATCH", P + "*"], None),  # MATCH last but one
        (["SCAN", "0", "MATCH"], "SCAN without MATCH"),  # MATCH with no pattern after it
        (["SORT", P + "l", "GET", "other_*"], "SORT: key 'other_*' is outside"),
        (["SORT", P + "l", "GET", "#", "BY", "w_*"], "key 'w_*'"),  # GET # reads no key
        (["SORT", P + "l", "BY", "nosort"], None),  # no '*': BY names no key
        (["SORT", P + "l", "LIMIT", "0", "5", "GET", "o_*"], "key 'o_*'"),
        (["SORT", P + "l", "DESC", "GET", "o_*"], "key 'o_*'"),
        (["SORT", P + "l", "ALPHA", "STORE", "out"], "key 'out'"),
        (["SORT", P + "l", "STORE"], None),  # STORE with nothing after it: the server refuses it
        (["SORT", P + "l", "GET"], None),
        (
            ["BF.ADD", P + "bf", "x"],
            "BF.ADD is not a Redis 7.0 command the grader knows, so it cannot tell which keys it touches",
        ),
        (["SORT", "their_list", "BY", "nosort"], "SORT: key 'their_list' is outside"),
        (["LPUSH", P + "l", "x", "DB"], None),  # 'DB' after the keys matters for COPY only
        (["SORT", P + "l", "STORE", P + "out", "GET", "o_*"], "key 'o_*'"),  # GET after STORE
        (["SORT", P + "l", "DESC", "ALPHA", "LIMIT", "0", "5"], None),
        (
            ["COPY", P + "a", P + "b", "DB", "1"],
            "COPY ... DB is not allowed while grading: it writes into another database",
        ),
        (["PING"], None),
        (["MULTI"], None),
    ],
)
def test_guard_policy(argv: list[str], refused: str | None) -> None:
    problem = KeyGuard(P).problem(argv)
    if refused is None:
        assert problem is None
    else:
        assert problem is not None and refused in problem


def test_copy_into_another_database_is_refused_in_these_words() -> None:
    problem = KeyGuard(P).problem(["COPY", P + "a", P + "b", "DB", "1"])
    assert problem == "COPY ... DB is not allowed while grading: it writes into another database"


@pytest.fixture(autouse=True)
def _scripts_guarded_afresh() -> None:
    """No test leans on a guarded script an earlier one left in the guard's cache (any order; and
    mutmut sees which test reaches the script checks)."""
    guard_module._guarded.cache_clear()


@pytest.fixture
def guarded(backend: Backend) -> Iterator[tuple[Any, Any, KeyGuard]]:
    """A guarded client, an unguarded one holding someone else's keys, and the guard."""
    guard = KeyGuard(P)
    raw = backend.client()
    raw.set("foreign", "theirs")
    raw.zadd("leaderboard", {"bob": 5})
    yield guard.attach(backend.client()), raw, guard
    raw.delete("foreign", "leaderboard")
    for key in raw.scan_iter(match=P + "*"):
        raw.delete(key)


def _refused(call: Any) -> str:
    with pytest.raises(ForbiddenCommandError) as caught:
        call()
    return str(caught.value)


def test_reference_style_code_passes_the_guard(guarded: tuple[Any, Any, KeyGuard]) -> None:
    r, _raw, guard = guarded
    assert r.eval("return redis.call('INCR', KEYS[1])", 1, P + "n") == 1
    assert r.eval("redis.call('SET', KEYS[1] .. ':copy', ARGV[1]) return 1", 1, P + "n", "v") == 1
    script = r.register_script("return redis.call('GET', KEYS[1])")
    assert script(keys=[P + "n"]) == "1"
    pipe = r.pipeline()
    pipe.zincrby(P + "lb", 3, "alice")
    script(keys=[P + "n"], client=pipe)
    assert pipe.execute() == [3.0, "1"]
    assert r.transaction(lambda p: p.multi() or p.incr(P + "n"), P + "n") == [2]
    lock = r.lock(P + "lock", timeout=5)
    assert lock.acquire(blocking=False) and lock.release() is None
    assert r.scan(0, match=P + "*", count=1000)[1]
    assert guard.violations == []


def test_commands_and_scripts_that_reach_out_are_stopped(guarded: tuple[Any, Any, KeyGuard]) -> None:
    r, raw, guard = guarded
    assert "GET: key 'foreign'" in _refused(lambda: r.get("foreign"))
    assert "FLUSHALL is not allowed" in _refused(r.flushall)
    assert "KEYS is not allowed" in _refused(lambda: r.keys("*"))
    assert "DEL: key 'foreign'" in _refused(lambda: r.pipeline().delete("foreign"))
    # Inside Lua the client cannot see the keys: the prelude checks each call on the server.
    literal = "return redis.call('ZINCRBY', 'leaderboard', 1, 'bob')"
    assert "ZINCRBY key 'leaderboard'" in _refused(lambda: r.eval(literal, 0))
    hidden = "local k = 'foreign' return redis.call('DEL', k)"
    assert "DEL key 'foreign'" in _refused(lambda: r.eval(hidden, 1, P + "n"))
    swallowed = "pcall(redis.call, 'DEL', 'foreign') return 'ok'"
    assert "DEL key 'foreign'" in _refused(lambda: r.eval(swallowed, 0))
    assert "FLUSHDB: it deletes" in _refused(lambda: r.eval("redis.call('FLUSHDB')", 0))
    scan = _refused(lambda: r.eval("return redis.call('SCAN', '0')", 0))
    assert "SCAN: the grader checks its channel or MATCH pattern only outside scripts" in scan
    dynamic = "return redis.call(ARGV[1], KEYS[1])"
    assert "GET is not allowed in a script" in _refused(lambda: r.eval(dynamic, 1, P + "n", "GET"))
    script = r.register_script("return redis.call('GET', 'foreign')")
    assert "GET key 'foreign'" in _refused(lambda: script(keys=[P + "n"]))
    pipe = r.pipeline()
    pipe.eval(literal, 0)
    assert "ZINCRBY key 'leaderboard'" in _refused(pipe.execute)
    assert len(guard.violations) == 12
    assert raw.get("foreign") == "theirs" and raw.zscore("leaderboard", "bob") == 5.0


def test_a_script_a_pipeline_knows_runs_guarded_though_the_guard_never_saw_it_loaded(
    guarded: tuple[Any, Any, KeyGuard],
) -> None:
    """redis-py's pipeline sends EVALSHA of its scripts; the guard finds the body among them."""
    r, raw, guard = guarded
    for body in ("return redis.call('INCR', KEYS[1])", b"return redis.call('INCRBY', KEYS[1], 1)"):
        script = raw.register_script(body)  # loaded by a client the guard does not watch
        pipe = r.pipeline()
        script(keys=[P + "n"], client=pipe)
        assert pipe.execute() in ([1], [2])
    reaching = raw.register_script("return redis.call('INCR', 'foreign')")
    pipe = r.pipeline()
    reaching(keys=[P + "n"], client=pipe)
    assert "INCR key 'foreign'" in _refused(pipe.execute)
    assert raw.get("foreign") == "theirs" and len(guard.violations) == 1


def test_evalsha_of_a_script_nobody_showed_the_guard_is_noscript(guarded: tuple[Any, Any, KeyGuard]) -> None:
    r, _raw, _guard = guarded
    with pytest.raises(redis.exceptions.NoScriptError) as caught:
        r.evalsha("ab" * 20, 0)
    assert str(caught.value) == (
        "No matching script (the grader runs only scripts it has seen: EVAL, or SCRIPT LOAD)"
    )


def test_a_read_only_script_stays_read_only_when_guarded(
    guarded: tuple[Any, Any, KeyGuard], backend: Backend
) -> None:
    """EVAL_RO and EVALSHA_RO are sent as EVAL_RO: the server still refuses a write inside."""
    r, raw, _guard = guarded
    if not backend.has_command("eval_ro"):
        pytest.skip("needs EVAL_RO (Redis 7.0+), which this server does not offer (probed)")
    writes = "return redis.call('SET', KEYS[1], 'x')"
    with pytest.raises(redis.ResponseError, match="(?i)write commands are not allowed"):
        r.eval_ro(writes, 1, P + "ro")
    sha = r.script_load(writes)
    with pytest.raises(redis.ResponseError, match="(?i)write commands are not allowed"):
        r.evalsha_ro(sha, 1, P + "ro")
    assert raw.exists(P + "ro") == 0
    assert r.eval_ro("return redis.call('GET', KEYS[1])", 1, P + "ro") is None


def test_an_ordinary_server_error_stays_itself_and_is_no_violation(
    guarded: tuple[Any, Any, KeyGuard],
) -> None:
    r, _raw, guard = guarded
    r.set(P + "text", "abc")
    with pytest.raises(redis.ResponseError, match="not an integer") as caught:
        r.incr(P + "text")
    assert not isinstance(caught.value, ForbiddenCommandError) and guard.violations == []


def test_a_refusal_inside_a_pipeline_that_does_not_raise_is_still_recorded(
    guarded: tuple[Any, Any, KeyGuard],
) -> None:
    """execute(raise_on_error=False) hands the refusal back as a value; the check fails all the same."""
    r, raw, guard = guarded
    pipe = r.pipeline()
    pipe.set(P + "a", 1)
    pipe.eval("return redis.call('DEL', 'foreign')", 0)
    replies = pipe.execute(raise_on_error=False)
    assert replies[0] is True and isinstance(replies[1], redis.ResponseError)
    assert len(guard.violations) == 1 and "DEL key 'foreign'" in guard.violations[0]
    assert raw.get("foreign") == "theirs"


def test_pubsub_of_a_guarded_client_is_guarded(guarded: tuple[Any, Any, KeyGuard]) -> None:
    r, _raw, guard = guarded
    pubsub = r.pubsub()
    try:
        pubsub.subscribe(P + "events")
        assert "SUBSCRIBE: channel 'news'" in _refused(lambda: pubsub.subscribe("news"))
        assert "PSUBSCRIBE: channel '*'" in _refused(lambda: pubsub.psubscribe("*"))
    finally:
        pubsub.close()
    assert len(guard.violations) == 2


def test_attaching_twice_wraps_once_and_marks_the_client(backend: Backend) -> None:
    guard = KeyGuard(P)
    client = guard.attach(backend.client())
    wrapped = client.execute_command
    assert guard.attach(client) is client and client.execute_command is wrapped
    assert client._redisprep_guard is guard


def test_a_guarded_client_keeps_every_argument_it_is_given(guarded: tuple[Any, Any, KeyGuard]) -> None:
    """Positional and keyword arguments reach redis-py: pipelines, Pub/Sub and reply options."""
    r, _raw, guard = guarded
    assert r.pipeline(False).transaction is False and r.pipeline(transaction=False).transaction is False
    pubsub = r.pubsub(ignore_subscribe_messages=True)
    try:
        assert pubsub.ignore_subscribe_messages is True
    finally:
        pubsub.close()
    r.zadd(P + "z", {"a": 1.5})
    assert r.zrange(P + "z", 0, -1, withscores=True) == [("a", 1.5)]  # withscores shapes the reply
    assert guard.violations == []


def test_keys_that_are_not_utf8_are_checked_as_bytes(backend: Backend) -> None:
    guard = KeyGuard(P)
    raw = guard.attach(backend.client(decode_responses=False))
    try:
        raw.set(P.encode() + b"\xff\xfe", b"1")
        assert raw.get(P.encode() + b"\xff\xfe") == b"1"
        assert "GET: key" in _refused(lambda: raw.get(b"\xff" + P.encode()))
    finally:
        backend.client(decode_responses=False).delete(P.encode() + b"\xff\xfe")


def test_script_load_without_a_body_is_the_servers_error_not_a_crash(
    guarded: tuple[Any, Any, KeyGuard],
) -> None:
    r, _raw, guard = guarded
    with pytest.raises(redis.ResponseError, match="(?i)wrong number of arguments"):
        r.execute_command("SCRIPT", "LOAD")
    assert guard.prepare(()) == () and guard.violations == []


# -- the grader, end to end, on a live server holding someone else's data -------------------------


def _their_data(url: str) -> dict[str, Any]:
    c = redis.Redis.from_url(url)
    try:
        return {k: (c.dump(k), c.ttl(k)) for k in sorted(c.scan_iter(count=1000))}
    finally:
        c.close()


@pytest.mark.live
@pytest.mark.parametrize(
    ("fixture", "check", "named"),
    [
        ("hard_coded_key.py", "leaderboard.concurrent_add", "ZINCRBY: key 'leaderboard'"),
        ("flushes.py", "leaderboard.top_k", "FLUSHDB is not allowed"),
        ("lists_keys.py", "leaderboard.top_k", "KEYS is not allowed"),
        ("script_reaches_out.py", "leaderboard.concurrent_add", "ZINCRBY key 'leaderboard'"),
        ("swallows_refusal.py", "leaderboard.top_k", "DEL: key 'user:1'"),
        ("own_client.py", "leaderboard.top_k", "opened a Redis connection of its own (own_client.py:10)"),
    ],
)
def test_grader_fails_code_that_reaches_other_keys(locked: Any, fixture: str, check: str, named: str) -> None:
    url = locked.url  # --url grades only where every user needs a password
    seed = connect(url)
    r = seed.client()
    r.zadd("leaderboard", {"bob": 5, "carol": 7})
    r.set("user:1", "alice", ex=3600)
    r.set("mine", "not yours")
    seed.close()
    before = _their_data(url)
    report = grade(get_exercise("leaderboard"), HOSTILE / fixture, url=url, only=(check,))
    outcome = report.checks[0]
    assert outcome.status == "fail", outcome
    assert "the grader stopped a command before it reached the server" in outcome.message
    assert named in outcome.message
    assert outcome.pitfall == "reaching outside the exercise's keys"
    after = _their_data(url)
    assert after.keys() == before.keys()  # nothing of the run left, nothing of theirs gone
    assert {k: v[0] for k, v in after.items()} == {k: v[0] for k, v in before.items()}
    stats = redis.Redis.from_url(url).info("commandstats")
    assert not {"cmdstat_flushdb", "cmdstat_flushall", "cmdstat_keys"} & set(stats)


@contextlib.contextmanager
def _passwords_on(cluster: Any) -> Iterator[None]:
    """The suite's cluster with a password on every node's default user, for one test."""
    nodes = [redis.Redis(port=server.port) for server in cluster.servers]
    for node in nodes:
        node.execute_command("ACL", "SETUSER", "default", "resetpass", f">{LOCK}")
    try:
        yield
    finally:
        for node in nodes:  # these connections logged in before the password was set
            node.execute_command("ACL", "SETUSER", "default", "nopass")
            node.close()


@pytest.mark.live
def test_guard_on_a_cluster_passes_references_and_stops_reaching_out(cluster: Any) -> None:
    """Through RedisCluster clients (routing, scripts by hash slot) the guard lets references pass."""
    url = f"redis+cluster://:{LOCK}@{cluster.url.removeprefix('redis+cluster://')}"
    with _passwords_on(cluster):  # --url grades only where every user needs a password
        for name in ("leaderboard", "lock"):
            exercise = get_exercise(name)
            report = grade(exercise, _reference(exercise.drill), url=url, cluster=True)
            assert report.passed, [(c.id, c.message) for c in report.checks if c.status != "pass"]
        report = grade(
            get_exercise("leaderboard"),
            HOSTILE / "script_reaches_out.py",
            url=url,
            cluster=True,
            only=("leaderboard.concurrent_add",),
        )
    assert report.checks[0].status == "fail"
    assert "ZINCRBY key 'leaderboard'" in report.checks[0].message


def _reference(drill: str) -> Path:
    import importlib.util

    from redisprep.drills import get_drill

    spec = importlib.util.find_spec(get_drill(drill).drill.reference)
    assert spec is not None and spec.origin is not None
    return Path(spec.origin)
