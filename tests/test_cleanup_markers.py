"""A marker proves a run only when its key and its JSON both say so: ``redisprep clean`` trusts nothing
that merely looks like a run (every case here is a key it must leave alone, or the one it may take)."""

from __future__ import annotations

import json

import fakeredis
import pytest

from redisprep.backends import Namespace
from redisprep.cleanup import mark_run, proven_run

NS = Namespace.new(now=1_700_000_000.0)


def _record(**changes: object) -> bytes:
    record: dict[str, object] = {"run": NS.run_id, "started": NS.started_at, "what": "drill lock"}
    record.update(changes)
    return json.dumps(record).encode()


def test_a_marker_written_by_mark_run_proves_its_run_and_what_it_was() -> None:
    client = fakeredis.FakeRedis()
    mark_run(client, NS, "drill leaderboard")
    proven = proven_run(NS.marker.encode(), client.get(NS.marker))
    assert proven is not None
    ns, what = proven
    assert ns.run_id == NS.run_id and ns.started_at == NS.started_at and what == "drill leaderboard"


def test_a_marker_without_what_says_nothing_rather_than_none() -> None:
    record = json.loads(_record())
    del record["what"]
    assert proven_run(NS.marker.encode(), json.dumps(record).encode()) == (NS, "")


@pytest.mark.parametrize(
    "key",
    [
        # The right length and suffix, another prefix: someone else's key.
        "redisprap:" + NS.run_id + "~run",
        # The prefix and a run id, not the marker's suffix.
        NS.prefix + "x~run",
        "redisprep:" + NS.run_id + "~ran",
        # The prefix and suffix around something that is not a run id.
        "redisprep:" + "not-a-run" + "~run",
        "redisprep:" + NS.run_id.upper() + "~run",
    ],
)
def test_a_key_that_only_looks_like_a_marker_proves_nothing(key: str) -> None:
    assert proven_run(key.encode(), _record()) is None


@pytest.mark.parametrize(
    "value",
    [
        _record(run="r1-000000"),  # another run's record
        _record(started=NS.started_at + 1),  # the right run, a start that does not match its id
        _record(run="r1-000000", started=1),
        b"[1, 2]",  # JSON, not an object
        b'"text"',
        b"not json",
        b"",
        None,
    ],
)
def test_a_value_that_does_not_match_the_key_proves_nothing(value: bytes | None) -> None:
    assert proven_run(NS.marker.encode(), value) is None


def test_a_key_that_is_not_ascii_proves_nothing() -> None:
    assert proven_run("redisprep:ré~run".encode(), _record()) is None
