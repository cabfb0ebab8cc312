"""The facts issue 17 corrected in drill narration and cards, each checked as the learner reads it.

Each test reads the text a learner sees (a drill's narration on the embedded backend, or a card's
explanation) and checks the fact against its source where one can be asked: the server under test
(XAUTOCLAIM's reply, MULTI's queued replies), the command table (COMMAND DOCS of Redis 7.0 and the
newer commands' own metadata), or the installed redis-py and fakeredis. It fails if the wrong fact
the issue found comes back.
"""

from __future__ import annotations

import functools
import io
import re

import redis
from rich.console import Console
from typer.testing import CliRunner

from redisprep.cli import app
from redisprep.cli._context import AppContext
from redisprep.knowledge.commands import command_doc
from redisprep.localserver import LocalServer
from redisprep.quiz.deck import load_decks
from redisprep.quiz.model import Card
from redisprep.resources import flashcards_dir


@functools.cache
def narration(drill: str) -> str:
    """What ``redisprep drill DRILL`` prints on the embedded backend, as one line of words."""
    out = io.StringIO()
    obj = AppContext(
        console=Console(file=out, width=100, color_system=None, highlight=False),
        err_console=Console(file=io.StringIO(), width=100, color_system=None, highlight=False),
    )
    result = CliRunner().invoke(app, ["drill", drill], obj=obj)
    assert result.exit_code == 0, result.output
    return " ".join((out.getvalue() + result.stdout).replace("│", " ").split())


def sentence(text: str, *words: str) -> str:
    """The one sentence of ``text`` that holds every one of ``words``."""
    found = [s for s in re.split(r"(?<=[.;])\s+", text) if all(w in s for w in words)]
    assert len(found) == 1, (words, found)
    return found[0]


@functools.cache
def _cards() -> dict[str, Card]:
    return {card.id: card for deck in load_decks([flashcards_dir()]) for card in deck.cards}


def card_text(card_id: str) -> str:
    """A card's explanation, as shown after the learner answers, as one line of words."""
    return " ".join(_cards()[card_id].explanation.split())


def _version(r: redis.Redis) -> tuple[int, int]:
    major, minor = str(r.info("server")["redis_version"]).split(".")[:2]
    return int(major), int(minor)


def _pair(text: str) -> tuple[int, int]:
    major, minor = text.split(".")[:2]
    return int(major), int(minor)


# XAUTOCLAIM exists since 6.2; 7.0 added the third reply element (the event-sourcing drill).

XAUTOCLAIM = re.compile(r"XAUTOCLAIM \(Redis (\d+\.\d+)\+; the third reply element since (\d+\.\d+)\)")


def _xautoclaim_versions() -> tuple[str, str]:
    found = XAUTOCLAIM.search(narration("event-sourcing"))
    assert found is not None, "the trimming step no longer says since when XAUTOCLAIM exists"
    return found.group(1), found.group(2)


def test_xautoclaim_narration_dates_the_command_as_its_docs_do() -> None:
    since, third = _xautoclaim_versions()
    doc = command_doc("XAUTOCLAIM")
    assert doc is not None and _pair(doc.since) == _pair(since)
    assert _pair(third) > _pair(since)


def test_xautoclaim_replies_as_the_narration_says_on_this_server(module_server: LocalServer) -> None:
    """On 6.2 (the matrix's redis-6.2 row) two elements, on 7.0 and later three."""
    since, third = _xautoclaim_versions()
    r = redis.Redis.from_url(module_server.url, decode_responses=True)
    try:
        r.delete("text-facts:s")
        r.xadd("text-facts:s", {"f": "v"}, id="1-0")
        r.xgroup_create("text-facts:s", "g", id="0")
        r.xreadgroup("g", "a", {"text-facts:s": ">"})
        version = _version(r)
        assert version >= _pair(since)  # every server the matrix runs has it
        reply = r.execute_command("XAUTOCLAIM", "text-facts:s", "g", "b", 0, "0-0")
        assert len(reply) == (3 if version >= _pair(third) else 2), (version, reply)
    finally:
        r.delete("text-facts:s")
        r.close()


# Strings: no "only type with a per-value expiry"; a hash field's own expiry from 7.4 (strings drill).


def test_strings_drill_dates_hash_field_expiry_by_the_commands_own_metadata() -> None:
    text = narration("strings")
    assert "only type with a per-value expiry" not in text
    found = re.search(r"own expiry only from Redis (\d+\.\d+) \((\w+)\)", text)
    assert found is not None, "the strings drill no longer dates a hash field's own expiry"
    doc = command_doc(found.group(2))
    assert doc is not None and doc.group == "hash" and _pair(doc.since) == _pair(found.group(1))


# Lock: a two-round-trip release leaves a gap and adds one round trip; it does not double the hold.


def test_lock_drill_says_a_two_round_trip_release_adds_a_gap_not_double_the_hold() -> None:
    said = sentence(narration("lock"), "Two round trips")
    assert "gap" in said and "one network round trip to the time the lock is held" in said
    assert "doubl" not in said


# GEOSEARCH ... COUNT: every match is collected, but only partially sorted (drill and card).


def test_count_is_said_to_sort_partially_in_the_drill_and_the_card() -> None:
    said = sentence(narration("proximity"), "COUNT 5", "collects")
    assert "partial" in said and "sorts every match" not in said
    card = card_text("geo-search-count")
    assert "partial" in card and "sorts every match" not in card


# redis-py after MOVED: what the installed library does (redirection drill).


def test_redirection_drill_says_what_the_installed_redis_py_does_after_moved() -> None:
    import inspect

    from redis import cluster

    said = sentence(narration("redirection"), "patches the one slot")
    params = inspect.signature(cluster.RedisCluster.__init__).parameters
    assert f"redis-py {redis.__version__}" in said
    assert f"every {params['reinitialize_steps'].default} MOVED" in said
    if "topology_refresh_min_interval" in params:
        assert "asks for a refresh" in said and "reloads" not in said
        interval = getattr(cluster, "_TOPOLOGY_REFRESH_MIN_INTERVAL_SECONDS", None)
        if interval is not None:
            assert f"(default {interval:g} s)" in said
    else:
        assert "reloads the whole layout" in said


# Rate limit: read-decide-write needs Lua; MULTI cannot branch on what it reads.


def test_rate_limit_answer_asks_for_lua_because_multi_cannot_branch(module_server: LocalServer) -> None:
    text = narration("rate-limit")
    said = sentence(text, "read-decide-write atomic")  # the interview answer's point
    assert "Lua script" in said and "Lua script or MULTI" not in said
    assert "MULTI cannot branch" in said
    step = sentence(text, "One round trip per decision:")  # the round-trips step
    assert "one Lua script" in step and "one script or one transaction" not in step
    # What the sentence rests on: inside MULTI a read answers QUEUED, not the value.
    r = redis.Redis.from_url(module_server.url, decode_responses=True, single_connection_client=True)
    try:
        r.set("text-facts:n", "3")
        assert r.execute_command("MULTI") in ("OK", True)
        assert r.execute_command("GET", "text-facts:n") == "QUEUED"
        assert r.execute_command("EXEC") == ["3"]
    finally:
        r.delete("text-facts:n")
        r.close()


# The BYBOX card: it says nothing the installed fakeredis contradicts.


def _fakeredis_answers_bybox() -> bool:
    import fakeredis

    r = fakeredis.FakeRedis(decode_responses=True)
    r.geoadd("g", (13.361389, 38.115556, "palermo"))
    try:
        found = r.execute_command("GEOSEARCH", "g", "FROMLONLAT", 13.36, 38.11, "BYBOX", 10, 10, "km")
    except redis.ResponseError:
        return False
    return list(found) == ["palermo"]


def test_bybox_card_says_nothing_the_installed_fakeredis_contradicts() -> None:
    card = card_text("geo-box-vs-radius")
    assert "BYBOX" in card
    says_it_lacks = re.search(r"fakeredis.{0,40}(does not|doesn't|lacks|not implement).{0,20}BYBOX", card)
    assert not (says_it_lacks and _fakeredis_answers_bybox())


# Eviction: the docs' default advice for a cache is allkeys-lru.


def test_eviction_card_credits_the_docs_with_allkeys_lru_as_the_default() -> None:
    card = _cards()["cache-eviction-policy-choice"]
    text = card_text("cache-eviction-policy-choice")
    assert card.answer == "allkeys-lru"
    said = sentence(text, "eviction docs")
    assert "allkeys-lru as the default" in said and "allkeys-lfu" not in said


# Pipelining: the card's figures come from one benchmark.

FIGURE = re.compile(r"\b\d+(?:\.\d+)?[kM]\b")


def test_pipelining_card_takes_its_figures_from_one_benchmark() -> None:
    text = card_text("perf-pipelining-effect")
    with_figures = [s for s in re.split(r"(?<=[.;])\s+", text) if FIGURE.search(s)]
    assert len(with_figures) == 1, with_figures
    (said,) = with_figures
    assert "runs" in said and "redis.io" not in said and "redis-benchmark" not in said
    assert len(FIGURE.findall(said)) >= 2  # one at a time vs pipelined, both from those runs
