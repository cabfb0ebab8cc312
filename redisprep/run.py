"""One run's lifecycle: its backend, namespace, tracer and signal handling, and its cleanup on every exit.

Drills, bench, explain and the practice grader each enter a :class:`Run` and do their work inside
it; none of them opens a backend, chooses a namespace or removes keys itself.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Protocol

from redisprep import signals
from redisprep.backends import Backend, Namespace, connect, resolve_url, translate_errors
from redisprep.cleanup import after_backend_failure, mark_run, may_be_left, remove_run_keys
from redisprep.errors import BackendUnavailableError, RedisprepError
from redisprep.explain.tracing import Tracer
from redisprep.private import Private, open_private


@dataclass(frozen=True, slots=True)
class Target:
    """Where a command line asked to run, parsed once."""

    url: str | None = None
    """``--url``, else ``REDISPREP_URL``, else ``REDIS_URL``; None: embedded. Never printed."""
    cluster: bool = False
    private: bool = False
    """A redis-server the run starts and owns (the embedded fakeredis when none is installed)."""

    @classmethod
    def resolve(
        cls, url: str | None, cluster: bool = False, environ: Mapping[str, str] | None = None
    ) -> Target:
        """``--url`` and ``--cluster`` as given, with the URL looked up in the environment when absent."""
        return cls(resolve_url(url, environ), cluster)


class Watched(Protocol):
    """Something that stops a run's worker threads and knows whether the server went away (a breaker)."""

    tripped: BaseException | None

    def stop(self, why: str) -> None: ...


class Access(Protocol):
    """Run-scoped credentials (the grader's ACL user): revoked before the run's keys are removed."""

    @property
    def detail(self) -> str:
        """How the interrupt message names it: `` and its ACL user``."""

    def revoke(self) -> None: ...


class Run:
    """The only owner of a run's lifecycle; use as ``with Run(target, what="drill x") as run: ...``.

    On entry: start the private server or connect (unless ``backend`` is given: ``drill all`` shares
    one), pick a fresh namespace, write the run's marker on a live server (what ``redisprep clean``
    looks for after a kill), and make SIGTERM and SIGHUP interrupt the run (main thread only).

    On every exit: revoke run-scoped credentials, remove the namespace's keys
    (:attr:`keys_removed`), close the backend it opened and stop the server it started, restore
    the signal handlers. Ctrl-C, SIGTERM and SIGHUP end in :class:`~redisprep.errors.RunInterruptedError`
    (or its SIGTERM/SIGHUP kinds) saying what was removed; a server that went away ends in
    :class:`~redisprep.errors.BackendUnavailableError` saying whether keys may be left.
    """

    backend: Backend
    ns: Namespace
    tracer: Tracer
    keys_removed: int
    private: Private | None

    def __init__(
        self,
        target: Target | None = None,
        *,
        backend: Backend | None = None,
        what: str = "",
        tracer: Tracer | None = None,
        ns: Namespace | None = None,
        writes: bool = True,
    ) -> None:
        """
        Args:
            target: Where to run (default: the embedded backend); ignored when ``backend`` is given.
            backend: A backend the caller owns and closes (shared by several runs).
            what: What the run is, for its marker (``drill leaderboard``).
            tracer: Record with this tracer (explain mode passes one with an observer).
            ns: Use this namespace instead of a fresh one (tests).
            writes: False for a run that only reads (explain on a user's server): no marker, no cleanup.
        """
        self._target = target or Target()
        self._given = backend
        self._what = what
        self._writes = writes
        self.ns = ns or Namespace.new()
        self.tracer = tracer or Tracer()
        self.keys_removed = 0
        self.private = None
        self._watched: list[Watched] = []
        self._access: list[Access] = []
        self._stack = contextlib.ExitStack()
        """What the run opened or started, closed on exit."""
        self._handlers = contextlib.ExitStack()
        """The signal handlers, restored last."""

    @property
    def url(self) -> str | None:
        """The backend's URL, secret-bearing: for worker processes only (bench workers, redis-benchmark)."""
        return self.backend.url

    def watch(self, watched: Watched) -> None:
        """Stop ``watched`` on an interrupt, and ask it whether the server went away, before cleaning up."""
        self._watched.append(watched)

    def grant(self, access: Access) -> None:
        """Revoke ``access`` when the run ends, before its keys are removed."""
        self._access.append(access)

    def __enter__(self) -> Run:
        self._handlers.enter_context(signals.raising())
        self._handlers.enter_context(signals.catching_swallowed())
        try:
            self.backend = self._open()
        except BaseException:
            self._close()
            raise
        if self._writes and self.backend.kind != "embedded" and self.private is None and self._what:
            # The marker may be on the server before ``with`` has this Run: an error or Ctrl-C now
            # ends the way any exit does, marker removed.
            try:
                with translate_errors(self.backend.label):
                    mark_run(self.backend.client(), self.ns, self._what)  # what 'clean' looks for
            except BaseException as exc:
                self.__exit__(type(exc), exc, exc.__traceback__)
                raise
        return self

    def _open(self) -> Backend:
        if self._given is not None:
            return self._given
        if self._target.private:
            self.private = open_private()
            self._stack.callback(self.private.close)
            return self.private.admin
        backend = connect(self._target.url, cluster=self._target.cluster)
        self._stack.callback(backend.close)
        return backend

    def __exit__(
        self, _exc_type: type[BaseException] | None, exc: BaseException | None, _tb: TracebackType | None
    ) -> None:
        try:
            while True:
                try:
                    self._finish(exc)
                    break
                except KeyboardInterrupt as late:
                    # A signal handled before held() took over (Python runs handlers between any two
                    # calls): the cleanup had not started or stopped at its first step. It is
                    # idempotent, so it runs again, now as after an interrupt, which this was.
                    exc = late
        finally:
            self._close()

    def _close(self) -> None:
        late: KeyboardInterrupt | None = None
        try:
            while True:
                try:
                    with signals.held():  # a second signal must not leave the server running
                        self._stack.close()
                    break
                except KeyboardInterrupt as exc:  # before held() took over: nothing was closed yet
                    late = exc
        finally:
            self._handlers.close()
        if late is not None:
            raise late

    def _finish(self, exc: BaseException | None) -> None:
        if isinstance(exc, KeyboardInterrupt):
            for w in self._watched:
                w.stop("interrupted")  # worker threads still running stop at their next command
            with signals.held():  # a second signal must not stop the cleanup halfway
                self._revoke(quietly=True)
                try:
                    detail = self._remove()
                except (RedisprepError, OSError):  # the server went away too: the interrupt is the news
                    detail = may_be_left(self.ns)
            raise signals.interrupted(exc, detail) from None
        if isinstance(exc, BackendUnavailableError):
            with signals.held():
                self._revoke(quietly=True)
            if self.private is not None or not self._writes:  # its keys die with it; or there are none
                return
            gone = any(w.tripped is not None for w in self._watched)
            raise after_backend_failure(self.backend, self.ns, exc, gone=gone) from None
        if exc is not None:
            # Leave nothing behind even when the work failed; the original error is the one to report.
            with signals.held(), contextlib.suppress(RedisprepError, OSError):
                self._revoke(quietly=True)
                self._remove()
            return
        with signals.held() as arrived:  # a signal now must not stop the cleanup halfway either
            self._revoke(quietly=False)
            detail = self._remove()
        if arrived:
            stop = KeyboardInterrupt() if arrived[0] == signal.SIGINT else signals.Stopped(arrived[0])
            raise signals.interrupted(stop, detail)
        try:  # a Ctrl-C that landed in a finalizer after the run's last command
            signals.raise_swallowed()
        except KeyboardInterrupt as stop:
            raise signals.interrupted(stop, detail) from None

    def _revoke(self, *, quietly: bool) -> None:
        for access in self._access:
            if quietly:
                with contextlib.suppress(RedisprepError, OSError):
                    access.revoke()
            else:
                access.revoke()

    def _remove(self) -> str:
        """Remove the run's keys; returns what the interrupt message says was done."""
        if self.private is not None:  # the server dies with the run: nothing to remove
            return f"stopped run {self.ns.run_id}'s private server"
        if not self._writes:  # it wrote nothing: nothing to say
            return ""
        self.keys_removed = remove_run_keys(self.backend, self.ns)
        extra = "".join(a.detail for a in self._access)
        return f"removed {self.keys_removed} keys of run {self.ns.run_id}{extra}"
