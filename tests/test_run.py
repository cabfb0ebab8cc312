"""A Run leaves no key behind however it ends: normally, on an error, Ctrl-C, SIGTERM, a dead server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from typing import Any

import pytest

from redisprep.backends import Backend, connect, translate_errors
from redisprep.errors import (
    BackendUnavailableError,
    ExitCode,
    RunInterruptedError,
    RunTerminatedError,
)
from redisprep.localserver import LocalServer
from redisprep.run import Run, Target


def _left(backend: Backend, run: Run) -> list[Any]:
    return list(backend.client().scan_iter(match=run.ns.prefix + "*"))


def _write(run: Run, count: int = 3) -> None:
    client = run.tracer.attach(run.backend.client())
    for i in range(count):
        client.set(run.ns.key("k", str(i)), i)


def test_a_normal_exit_removes_every_key_and_counts_them(backend: Backend) -> None:
    with Run(backend=backend, what="test") as run:
        _write(run, 5)
        assert len(_left(backend, run)) == 5
    assert run.keys_removed == 5
    assert _left(backend, run) == []
    assert backend.client().get(run.ns.marker) is None  # the marker goes last, with the keys


def test_an_error_inside_is_reported_as_itself_after_the_cleanup(backend: Backend) -> None:
    with pytest.raises(ValueError, match="boom"), Run(backend=backend, what="test") as run:
        _write(run)
        raise ValueError("boom")
    assert _left(backend, run) == []


def test_ctrl_c_ends_in_the_interrupted_error_naming_what_was_removed(backend: Backend) -> None:
    with pytest.raises(RunInterruptedError) as info, Run(backend=backend, what="test") as run:
        _write(run, 4)
        raise KeyboardInterrupt
    assert str(info.value) == f"interrupted; removed 4 keys of run {run.ns.run_id}"
    assert info.value.exit_code == ExitCode.INTERRUPTED
    assert _left(backend, run) == []


def test_a_shared_backend_stays_open_and_an_opened_one_is_closed(backend: Backend) -> None:
    with Run(backend=backend) as run:
        _write(run)
    assert backend.client().ping()  # still usable by the next run of 'drill all'
    with Run(Target()) as own:
        client = own.backend.client()
        client.set(own.ns.key("x"), 1)
    assert own.backend._clients == []  # every client the run handed out was closed


def test_the_signal_handlers_are_restored_afterwards() -> None:
    before = signal.getsignal(signal.SIGTERM)
    with Run(Target()):
        assert signal.getsignal(signal.SIGTERM) is not before
    assert signal.getsignal(signal.SIGTERM) is before


def test_a_private_target_starts_a_server_and_stops_it() -> None:
    with Run(Target(private=True)) as run:
        _write(run)
        private = run.private
        assert private is not None
    if private.server is not None:  # else the embedded fakeredis stood in (no redis-server)
        assert not private.server.alive()


_CHILD = textwrap.dedent(
    """
    import sys, time
    from redisprep.errors import RunInterruptedError
    from redisprep.run import Run, Target

    try:
        with Run(Target(sys.argv[1]), what="test") as run:
            client = run.backend.client()
            for i in range(50):
                client.set(run.ns.key("k", str(i)), i)
            print(run.ns.prefix, flush=True)
            time.sleep(60)
    except RunInterruptedError as exc:
        print(exc, flush=True)
        sys.exit(int(exc.exit_code))
    """
)


@pytest.mark.live
def test_sigterm_in_a_process_removes_the_keys_and_exits_143(fresh_server: LocalServer) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("REDISPREP_URL", "REDIS_URL")}
    proc = subprocess.Popen(
        [sys.executable, "-c", _CHILD, fresh_server.url], stdout=subprocess.PIPE, text=True, env=env
    )
    assert proc.stdout is not None
    prefix = proc.stdout.readline().strip()
    observer = connect(fresh_server.url).client()
    assert len(list(observer.scan_iter(match=prefix + "*"))) == 50
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == RunTerminatedError.exit_code == 143
    assert out.strip().startswith("terminated (SIGTERM); removed 50 keys of run ")
    assert list(observer.scan_iter(match=prefix + "*")) == []
    assert list(observer.scan_iter(match="redisprep:*")) == []  # the marker too


@pytest.mark.live
def test_a_server_dying_mid_run_is_one_backend_error_naming_the_cleanup(fresh_server: LocalServer) -> None:

    with pytest.raises(BackendUnavailableError) as info, Run(Target(fresh_server.url), what="test") as run:
        _write(run)
        fresh_server.kill()
        with translate_errors(run.backend.label):
            run.backend.client().set(run.ns.key("after"), 1)
    assert info.value.exit_code == ExitCode.BACKEND
    assert f"keys of run {run.ns.run_id} may be left on the server: 'redisprep clean' removes them" in str(
        info.value
    )


def test_a_run_that_only_reads_writes_no_marker_and_says_only_interrupted(backend: Backend) -> None:
    with (
        pytest.raises(RunInterruptedError) as info,
        Run(backend=backend, what="explain", writes=False) as run,
    ):
        assert backend.client().exists(run.ns.marker) == 0
        raise KeyboardInterrupt
    assert str(info.value) == "interrupted"


@pytest.mark.live
def test_ctrl_c_after_the_server_died_still_says_interrupted_and_names_the_cleanup(
    fresh_server: LocalServer,
) -> None:
    with pytest.raises(RunInterruptedError) as info, Run(Target(fresh_server.url), what="test") as run:
        _write(run)
        fresh_server.kill()
        raise KeyboardInterrupt
    assert info.value.exit_code == ExitCode.INTERRUPTED
    assert str(info.value) == (
        f"interrupted; keys of run {run.ns.run_id} may be left on the server: 'redisprep clean' removes them"
    )


@pytest.mark.live
def test_ctrl_c_right_after_the_marker_is_written_removes_it(
    fresh_server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The marker is on the server before ``with`` has its Run: an interrupt then must clean up too."""
    import redisprep.run

    real_mark_run = redisprep.run.mark_run

    def mark_then_interrupt(client: Any, ns: Any, what: str) -> None:
        real_mark_run(client, ns, what)
        assert client.exists(ns.marker) == 1  # the premise: the marker is written
        raise KeyboardInterrupt

    monkeypatch.setattr(redisprep.run, "mark_run", mark_then_interrupt)
    run = Run(Target(fresh_server.url), what="test")
    with pytest.raises(RunInterruptedError), run:
        pytest.fail("the body must not run")
    observer = connect(fresh_server.url)
    try:
        assert list(observer.client().scan_iter(match="redisprep:*")) == []
    finally:
        observer.close()


def _late_signal_at_hold(monkeypatch: pytest.MonkeyPatch, nth: int) -> list[int]:
    """Make the ``nth`` signals.held() of the run's cleanup raise KeyboardInterrupt as it begins.

    That is what a signal does when it arrives as the run's exit begins: Python runs its handler
    between any two calls, before the cleanup has swapped in the handlers that only note signals.
    (Holds of every stop signal, as start_server's around the fork, are not the cleanup's.)
    """
    import contextlib

    from redisprep import signals

    real_held = signals.held
    calls: list[int] = []

    @contextlib.contextmanager
    def held(names: tuple[str, ...] = signals.CLEANUP) -> Any:
        if names == signals.CLEANUP:
            calls.append(1)
            if len(calls) == nth:
                raise KeyboardInterrupt
        with real_held(names) as arrived:
            yield arrived

    monkeypatch.setattr(signals, "held", held)
    return calls


@pytest.mark.live
@pytest.mark.parametrize("body", ["ends", "raises", "is interrupted"])
def test_a_signal_landing_before_the_cleanup_holds_signals_still_removes_every_key(
    fresh_server: LocalServer, monkeypatch: pytest.MonkeyPatch, body: str
) -> None:
    """Once seen live: Ctrl-C in the cache stampede left the run's marker on the user's server."""
    calls = _late_signal_at_hold(monkeypatch, 1)
    run = Run(Target(fresh_server.url), what="test")
    try:
        with run:
            _write(run, 3)
            if body == "raises":
                raise ValueError("the work failed")
            if body == "is interrupted":
                raise KeyboardInterrupt
    except RunInterruptedError as exc:
        assert str(exc).startswith(f"interrupted; removed 3 keys of run {run.ns.run_id}"), exc
    except KeyboardInterrupt:
        pytest.fail("the late interrupt escaped the run's cleanup")
    else:
        pytest.fail("the late interrupt was not reported")
    assert len(calls) >= 2  # the premise: the late signal came first, the cleanup ran after it
    observer = connect(fresh_server.url)
    try:
        assert list(observer.client().scan_iter(match="redisprep:*")) == []
    finally:
        observer.close()


def test_a_signal_landing_before_the_close_holds_signals_still_stops_the_private_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The second hold is the close's: the server must stop, the interrupt still reach the caller."""
    before = signal.getsignal(signal.SIGINT)
    calls = _late_signal_at_hold(monkeypatch, 2)
    with pytest.raises(KeyboardInterrupt), Run(Target(private=True)) as run:  # noqa: PT012
        private = run.private
        assert private is not None
    assert len(calls) == 3
    if private.server is not None:  # else the embedded fakeredis stood in (no redis-server)
        assert not private.server.alive()
    assert signal.getsignal(signal.SIGINT) is before


def test_held_restores_the_handlers_it_swapped_when_a_pending_signal_interrupts_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """signal.signal() runs pending handlers first: an interrupt may come out of the swap itself."""
    from redisprep import signals

    before = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    real_signal = signal.signal
    swaps: list[int] = []

    def signal_once_pending(sig: int, handler: Any) -> Any:
        swaps.append(sig)
        if len(swaps) == 2:  # SIGINT already swapped, SIGTERM not yet
            raise KeyboardInterrupt
        return real_signal(sig, handler)

    monkeypatch.setattr(signal, "signal", signal_once_pending)
    with pytest.raises(KeyboardInterrupt), signals.held():
        pytest.fail("held() must not enter")
    monkeypatch.undo()
    assert {s: signal.getsignal(s) for s in before} == before


# A Ctrl-C whose handler runs inside a finalizer: Python can only print that KeyboardInterrupt
# ("Exception ignored in ...") and drop it. The run must still stop, at its next command.
_SWALLOWED = textwrap.dedent(
    """
    import os, signal, sys, time
    from redisprep.drills.context import DrillContext
    from redisprep.errors import RunInterruptedError
    from redisprep.run import Run, Target

    class Finalized:
        def __del__(self):
            if sys.argv[2].startswith("ctrl-c"):
                os.kill(os.getpid(), signal.SIGINT)
                time.sleep(5)  # the handler runs here, inside __del__
            else:
                raise ValueError("a finalizer's own bug")

    url = sys.argv[1] or None
    try:
        with Run(Target(url), what="test") as run:
            ctx = DrillContext.create(run.backend, ns=run.ns)
            ctx.r.set(ctx.key("before"), 1)
            print(run.ns.prefix, flush=True)
            if sys.argv[2] != "ctrl-c-late":
                Finalized()
            ctx.r.set(ctx.key("after"), 2)
            print("went on", flush=True)
            if sys.argv[2] == "ctrl-c-late":
                Finalized()  # after the run's last command
    except RunInterruptedError as exc:
        print(exc, flush=True)
    """
)


def _swallowed(url: str, how: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDISPREP_URL", "REDIS_URL")}
    return subprocess.run(
        [sys.executable, "-c", _SWALLOWED, url, how], capture_output=True, text=True, env=env, timeout=60
    )


def test_a_ctrl_c_swallowed_by_a_finalizer_still_stops_the_run_at_its_next_command() -> None:
    done = _swallowed("", "ctrl-c")
    out = done.stdout.splitlines()
    assert "went on" not in out
    assert out[-1].startswith("interrupted; "), done
    assert done.stderr == ""  # no "Exception ignored in ..."


def test_a_ctrl_c_swallowed_after_the_last_command_still_ends_the_run_as_interrupted() -> None:
    done = _swallowed("", "ctrl-c-late")
    assert done.stdout.splitlines()[-1].startswith("interrupted; "), done
    assert done.stderr == ""


def test_other_exceptions_in_finalizers_are_still_reported_as_python_does() -> None:
    done = _swallowed("", "bug")
    assert done.stdout.splitlines()[-1] == "went on"
    assert "Exception ignored in" in done.stderr and "a finalizer's own bug" in done.stderr


@pytest.mark.live
def test_a_swallowed_ctrl_c_on_a_live_server_removes_the_run_and_writes_nothing_after(
    fresh_server: LocalServer,
) -> None:
    done = _swallowed(fresh_server.url, "ctrl-c")
    prefix, *rest = done.stdout.splitlines()
    assert rest and rest[-1].startswith("interrupted; removed 1 keys of run "), done
    observer = connect(fresh_server.url).client()
    assert list(observer.scan_iter(match=prefix + "*")) == []
    assert list(observer.scan_iter(match="redisprep:*")) == []
    assert done.stderr == ""


def test_deferred_raises_a_stop_signal_from_inside_the_block_once_the_block_is_done() -> None:
    from redisprep import signals

    before = signal.getsignal(signal.SIGINT)
    went_on: list[str] = []
    with pytest.raises(KeyboardInterrupt), signals.deferred():
        signal.raise_signal(signal.SIGINT)
        signal.raise_signal(signal.SIGINT)  # twice: raised again once
        went_on.append("the block finished")
    assert went_on == ["the block finished"]
    assert signal.getsignal(signal.SIGINT) is before


def test_held_notes_drill_alls_stop_signal_only_when_asked() -> None:
    from redisprep import signals

    got: list[int] = []
    previous = signal.signal(signal.SIGUSR1, lambda signum, frame: got.append(signum))
    try:
        with signals.held(signals.STOP) as arrived:
            signal.raise_signal(signal.SIGUSR1)
        assert (arrived, got) == ([signal.SIGUSR1], [])
        with signals.held() as arrived:  # the cleanup's hold leaves SIGUSR1 to its handler
            signal.raise_signal(signal.SIGUSR1)
        assert (arrived, got) == ([], [signal.SIGUSR1])
        signals.deliver([signal.SIGUSR1, signal.SIGUSR1])
        assert got == [signal.SIGUSR1, signal.SIGUSR1]
    finally:
        signal.signal(signal.SIGUSR1, previous)
