"""Stop a run's clients from waiting on a server that has already failed to answer.

A drill or a graded check that meets a dead or silent server would otherwise wait the socket
timeout again for every command still to come: the next step of a loop, a ``finally`` that closes
a subscription, another worker thread. Once a command fails to reach the server and a fresh
``PING`` confirms it is gone, every later command of the run fails at once with the same error.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from redisprep import signals
from redisprep.errors import RunInterruptedError

if TYPE_CHECKING:
    from redisprep.backends import Backend


class Breaker:
    """Shared by every client of one run; trips once the server is found unreachable."""

    def __init__(self, backend: Backend) -> None:
        self._backend = backend
        self._lock = threading.Lock()
        self.tripped: BaseException | None = None
        """The failure that showed the server was gone (None while it answers)."""

    def check(self) -> None:
        """Raise the recorded failure again (a fresh exception of the same class) if tripped.

        Also raises a Ctrl-C that Python swallowed (it landed in a finalizer): the run stops at its
        next command, as it would have where the signal arrived.
        """
        signals.raise_swallowed()
        if self.tripped is not None:
            raise type(self.tripped)(str(self.tripped))

    def stop(self, why: str) -> None:
        """Make every later command of the run fail at once (the run is being interrupted).

        Worker threads still running then stop at their next command instead of writing keys
        after the run's cleanup.
        """

        with self._lock:
            if self.tripped is None:
                self.tripped = RunInterruptedError(why)

    def failed(self, exc: BaseException) -> None:
        """A command raised ``exc``: trip when it is a connection failure and the server is gone.

        A timeout alone does not trip it: a learner's blocking command can outlive the socket
        timeout on a healthy server, which a ``PING`` on a fresh connection tells apart.
        """
        import redis

        if not isinstance(exc, redis.ConnectionError | redis.TimeoutError) or self.tripped is not None:
            return
        with self._lock:
            if self.tripped is None and not self._backend.answers():
                self.tripped = exc


def guard(client: Any, breaker: Breaker) -> Any:
    """Make ``client`` (and its pipelines) consult ``breaker`` around every round trip."""
    send = client.execute_command
    make_pipeline = client.pipeline

    def execute_command(*args: Any, **options: Any) -> Any:
        breaker.check()
        try:
            return send(*args, **options)
        except BaseException as exc:
            breaker.failed(exc)
            raise

    def pipeline(*p_args: Any, **p_kwargs: Any) -> Any:
        pipe = make_pipeline(*p_args, **p_kwargs)
        run = pipe.execute

        def execute(*a: Any, **k: Any) -> Any:
            breaker.check()
            try:
                return run(*a, **k)
            except BaseException as exc:
                breaker.failed(exc)
                raise

        pipe.execute = execute
        return pipe

    client.execute_command = execute_command
    client.pipeline = pipeline
    return client
