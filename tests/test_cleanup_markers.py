"""A marker proves a run only when its key and its JSON both say so: ``redisprep clean`` trusts nothing
that merely looks like a run; and deleting a run's keys takes every one of them, and nothing else."""

from __future__ import annotations

import json
import os
import re
import signal
from typing import Any

import fakeredis
import pytest

from redisprep.backends import Backend, Namespace, connect, delete_namespace, scan_raw
from redisprep.cleanup import after_backend_failure, mark_run, proven_run, remove_run_keys, remove_stale_runs
from redisprep.errors import BackendUnavailableError
from redisprep.localserver import LocalServer

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


# -- redisprep clean: which runs, counted how ---------------------------------------------------


def _marked(client: Any, started: int, what: str = "drill lock") -> Namespace:
    ns = Namespace.new(now=started)
    mark_run(client, ns, what)
    client.set(ns.key("k"), 1)
    return ns


def test_clean_measures_age_from_the_time_it_is_given_and_spares_a_run_exactly_at_the_cutoff() -> None:
    """A run started exactly ``older_than_s`` ago is cleaned; one a second younger is spared."""
    backend = connect(None)
    try:
        client = backend.client()
        at_cutoff, young, younger = _marked(client, 1_000), _marked(client, 1_001), _marked(client, 1_002)
        report = remove_stale_runs(backend, older_than_s=60, now=1_060)
        assert report.removed == {at_cutoff.run_id: 1}
        assert report.recent == 2  # both young runs counted, not just noted
        assert client.exists(young.marker, younger.marker) == 2
    finally:
        backend.close()


def test_a_marker_whose_value_is_not_utf8_proves_nothing_and_does_not_stop_clean() -> None:
    backend = connect(None)
    try:
        raw = backend.client(decode_responses=False)
        forged = Namespace.new(now=1_000)
        raw.set(forged.marker, b"\xff\xfe not json")
        old = _marked(backend.client(), 1_000)
        report = remove_stale_runs(backend, older_than_s=60, now=5_000)
        assert report.removed == {old.run_id: 1}
        assert raw.get(forged.marker) == b"\xff\xfe not json"
    finally:
        backend.close()


def test_keys_written_while_clean_runs_are_counted_as_left(monkeypatch: pytest.MonkeyPatch) -> None:
    """A run still writing (killed, but its worker alive) can add keys after clean's deletion."""
    import redisprep.cleanup

    backend = connect(None)
    real = redisprep.cleanup.delete_namespace

    def delete_then_a_late_write(client: Any, ns: Namespace) -> int:
        removed = real(client, ns)
        client.set(ns.key("late", "a"), 1)
        client.set(ns.key("late", "b"), 1)
        return removed

    monkeypatch.setattr(redisprep.cleanup, "delete_namespace", delete_then_a_late_write)
    try:
        old = _marked(backend.client(), 1_000)
        report = remove_stale_runs(backend, older_than_s=60, now=5_000)
        assert report.removed == {old.run_id: 1} and report.left == {old.run_id: 2}
    finally:
        backend.close()


@pytest.mark.live
def test_clean_deletes_the_acl_user_of_each_killed_grading_and_only_theirs(fresh_server: LocalServer) -> None:
    backend = connect(fresh_server.url)
    try:
        client = backend.client()
        gradings = [_marked(client, 1_000, "practice leaderboard"), _marked(client, 1_001, "practice lock")]
        drill = _marked(client, 1_002, "drill lock")
        for ns in [*gradings, drill]:
            client.execute_command("ACL", "SETUSER", f"redisprep-{ns.run_id}", "on", ">pw", "~*", "+get")
        report = remove_stale_runs(backend, older_than_s=60, now=5_000)
        assert report.users == 2 and len(report.removed) == 3
        users = set(client.execute_command("ACL", "USERS"))
        assert f"redisprep-{drill.run_id}" in users  # a drill run has no user of ours: left alone
        assert not {f"redisprep-{ns.run_id}" for ns in gradings} & users
    finally:
        backend.close()


@pytest.mark.live
def test_clean_without_acl_rights_still_removes_the_keys_and_counts_no_user(
    fresh_server: LocalServer,
) -> None:
    admin = connect(fresh_server.url)
    admin.client().execute_command("ACL", "SETUSER", "cleaner", "on", ">pw", "~*", "+@all", "-acl")
    limited = connect(fresh_server.url.replace("redis://", "redis://cleaner:pw@", 1))
    try:
        old = _marked(admin.client(), 1_000, "practice lock")
        report = remove_stale_runs(limited, older_than_s=60, now=5_000)
        assert report.removed == {old.run_id: 1} and report.users == 0
    finally:
        limited.close()
        admin.close()


@pytest.mark.live
def test_clean_on_a_server_that_went_away_names_it(fresh_server: LocalServer) -> None:
    backend = connect(fresh_server.url)
    try:
        fresh_server.stop()
        with pytest.raises(BackendUnavailableError, match=rf"^cannot reach {re.escape(backend.label)}: "):
            remove_stale_runs(backend, older_than_s=60)
    finally:
        backend.close()


# -- after a run's server failed ----------------------------------------------------------------

FAILED = BackendUnavailableError("cannot reach the server: gone")


def test_after_a_failure_on_the_embedded_backend_the_error_is_returned_as_it_was() -> None:
    backend = connect(None)
    try:
        assert after_backend_failure(backend, Namespace.new(), FAILED) is FAILED
    finally:
        backend.close()


@pytest.mark.live
def test_after_a_failure_a_reachable_server_gets_the_keys_deleted_and_the_error_stays_as_it_was(
    fresh_server: LocalServer,
) -> None:
    backend = connect(fresh_server.url)
    try:
        ns = _marked(backend.client(), 1_000)
        assert after_backend_failure(backend, ns, FAILED) is FAILED
        assert list(scan_raw(backend.client(), b"redisprep:*")) == []
    finally:
        backend.close()


@pytest.mark.live
def test_after_a_failure_found_gone_nothing_is_tried_and_the_message_says_keys_may_be_left(
    fresh_server: LocalServer,
) -> None:
    backend = connect(fresh_server.url)
    try:
        ns = _marked(backend.client(), 1_000)
        error = after_backend_failure(backend, ns, FAILED, gone=True)
        assert (
            str(error)
            == f"{FAILED}; keys of run {ns.run_id} may be left on the server: 'redisprep clean' removes them"
        )
        assert backend.client().exists(ns.marker, ns.key("k")) == 2  # not tried: the server was gone
    finally:
        backend.close()


@pytest.mark.live
@pytest.mark.parametrize("how", ["killed", "paused"])
def test_after_a_failure_a_server_that_does_not_answer_leaves_the_keys_named(
    fresh_server: LocalServer, how: str
) -> None:
    """Killed: refused at once. Paused (SIGSTOP): the quick timeouts end the attempt, no hang."""
    backend = connect(fresh_server.url)
    try:
        ns = _marked(backend.client(), 1_000)
        if how == "killed":
            fresh_server.stop()
        else:
            os.kill(fresh_server.pid, signal.SIGSTOP)
        try:
            error = after_backend_failure(backend, ns, FAILED)
        finally:
            if how == "paused":
                os.kill(fresh_server.pid, signal.SIGCONT)
        assert isinstance(error, BackendUnavailableError)
        assert (
            str(error)
            == f"{FAILED}; keys of run {ns.run_id} may be left on the server: 'redisprep clean' removes them"
        )
    finally:
        backend.close()


def test_a_run_with_more_keys_than_one_unlink_batch_loses_every_one(backend: Backend) -> None:
    """UNLINK goes in batches of 500: 1,201 keys are three batches, the last a short one."""
    ns = Namespace.new()
    raw = backend.client(decode_responses=False)
    try:
        pipe = raw.pipeline(transaction=False)
        for i in range(1_201):
            pipe.set(ns.key("k", str(i)), b"1")
        pipe.execute()
        assert delete_namespace(raw, ns) == 1_201
        assert list(scan_raw(raw, ns.prefix.encode() + b"*")) == []
    finally:
        raw.close()


def test_a_marker_records_who_wrote_it_as_sorted_json() -> None:
    """What 'clean' and a person reading the key see: version, run, start, what, host and pid."""
    import socket

    from redisprep import __version__

    r = fakeredis.FakeRedis()
    mark_run(r, NS, "drill lock")
    value = r.get(NS.marker)
    record = {
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "redisprep": __version__,
        "run": NS.run_id,
        "started": NS.started_at,
        "what": "drill lock",
    }
    assert value == json.dumps(record, sort_keys=True).encode()


def test_after_a_failure_on_the_embedded_backend_nothing_is_attempted() -> None:
    """Its keys die with the process: the run's keys are left for that, not deleted here."""
    backend = connect(None)
    try:
        ns = _marked(backend.client(), 1_000)
        after_backend_failure(backend, ns, FAILED)
        assert backend.client().exists(ns.marker, ns.key("k")) == 2
    finally:
        backend.close()


@pytest.mark.live
def test_removing_a_runs_keys_on_a_server_gone_names_it(fresh_server: LocalServer) -> None:
    backend = connect(fresh_server.url)
    try:
        fresh_server.stop()
        with pytest.raises(BackendUnavailableError, match=rf"^cannot reach {re.escape(backend.label)}: "):
            remove_run_keys(backend, Namespace.new())
    finally:
        backend.close()
