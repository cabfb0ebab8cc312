"""A marker proves a run only when its key and its JSON both say so: ``redisprep clean`` trusts nothing
that merely looks like a run; and deleting a run's keys takes every one of them, and nothing else."""

from __future__ import annotations

import json

import fakeredis
import pytest

from redisprep.backends import Backend, Namespace, delete_namespace, scan_raw
from redisprep.cleanup import mark_run, proven_run

NS = Namespace("r6553f100-0a1b2c")  # fixed: test ids must match across xdist workers


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


def test_delete_namespace_removes_keys_that_are_not_utf8_even_through_a_decoding_client(
    backend: Backend,
) -> None:
    """SCAN is read as bytes whatever the client decodes: a non-UTF-8 key of the run goes too, and
    only the run's keys (a neighbour with the same start of name stays)."""
    ns = Namespace.new()
    raw = backend.client(decode_responses=False)
    mark_run(raw, ns, "drill test")
    raw.set(ns.prefix.encode() + b"\xff\xfe-not-utf8", b"1")
    raw.set(ns.prefix.encode() + b"plain", b"1")
    neighbour = ns.prefix[:-1].encode() + b"0:x"  # redisprep:<run id>0:x, another namespace
    raw.set(neighbour, b"1")
    try:
        decoding = backend.client()  # decode_responses=True: what the drills use
        assert delete_namespace(decoding, ns) == 2
        assert list(scan_raw(raw, ns.prefix.encode() + b"*")) == []
        assert raw.exists(ns.marker) == 0 and raw.get(neighbour) == b"1"
    finally:
        raw.delete(neighbour)
        raw.close()
