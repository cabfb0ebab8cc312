"""Force the interleavings that break naive code, deterministically, without knowing the code.

:class:`Lockstep` lets several worker threads send their commands in rounds: in each round every
active worker sends exactly one round trip, and nobody sends the next until all have sent this one.
A read-modify-write (``GET`` then ``SET``) run this way always loses updates, a check-then-act lock
always admits several holders, while a single atomic command or script is unaffected.
"""

from __future__ import annotations

import threading
from typing import Any

from redisprep.errors import RedisprepError


class LockstepTimeoutError(RedisprepError):
    """A worker waited too long for the others (one of them is stuck)."""


class LockstepAbortedError(RedisprepError):
    """Another worker failed, so this one stops before its next round trip.

    Without this, a server that stopped answering would cost each later round its own socket
    timeout. :func:`redisprep.drills.context.run_threads` reports the failure that caused it.
    """


class Lockstep:
    """A phaser: ``arrive()`` before each round trip, ``leave()`` when a worker is done."""

    def __init__(self, parties: int, timeout_s: float = 10.0) -> None:
        self._cond = threading.Condition()
        self._active = parties
        self._arrived = 0
        self._generation = 0
        self._timeout = timeout_s
        self._aborted = False
        self.rounds = 0
        """How many rounds were released."""

    def arrive(self) -> None:
        """Wait until every active worker has arrived at its next round trip.

        Raises:
            LockstepAbortedError: Another worker failed (see :meth:`abort`).
            LockstepTimeoutError: The others did not arrive in time.
        """
        with self._cond:
            if self._aborted:
                raise LockstepAbortedError("stopped: another worker failed")
            generation = self._generation
            self._arrived += 1
            if self._arrived >= self._active:
                self._release()
                return
            if not self._cond.wait_for(
                lambda: self._generation != generation or self._aborted, self._timeout
            ):
                raise LockstepTimeoutError(
                    f"a worker waited {self._timeout:.0f} s for the others to send a command"
                )
            if self._aborted:  # also when a leaving worker released the round after the abort
                raise LockstepAbortedError("stopped: another worker failed")

    def abort(self) -> None:
        """A worker failed: every other worker raises instead of sending its next round trip."""
        with self._cond:
            self._aborted = True
            self._cond.notify_all()

    def leave(self) -> None:
        """Stop taking part (the worker has no more commands to send)."""
        with self._cond:
            self._active -= 1
            if self._active > 0 and self._arrived >= self._active:
                self._release()

    def _release(self) -> None:
        self._arrived = 0
        self._generation += 1
        self.rounds += 1
        self._cond.notify_all()


def gate(client: Any, step: Lockstep) -> Any:
    """Make ``client`` call ``step.arrive()`` before every round trip it sends. Returns the client."""
    send = client.execute_command
    make_pipeline = client.pipeline

    def execute_command(*args: Any, **options: Any) -> Any:
        step.arrive()
        return send(*args, **options)

    def pipeline(*p_args: Any, **p_kwargs: Any) -> Any:
        pipe = make_pipeline(*p_args, **p_kwargs)
        run = pipe.execute
        queue = pipe.execute_command

        def execute(*a: Any, **k: Any) -> Any:
            step.arrive()
            return run(*a, **k)

        def execute_command(*args: Any, **options: Any) -> Any:
            immediate = (getattr(pipe, "watching", False) or str(args[0]).upper() == "WATCH") and not (
                getattr(pipe, "explicit_transaction", False)
            )
            if immediate:
                step.arrive()
            return queue(*args, **options)

        pipe.execute = execute
        pipe.execute_command = execute_command
        return pipe

    client.execute_command = execute_command
    client.pipeline = pipeline
    return client
