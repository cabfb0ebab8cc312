"""SIGTERM and SIGHUP end a run the way Ctrl-C does: as an interrupt, so every cleanup path runs.

:func:`install` (called by the console entry point) makes both signals raise :class:`Stopped`, a
``KeyboardInterrupt``, in the main thread; each command's ``except KeyboardInterrupt`` then removes
the run's keys and says so, and the exit code names the signal (143, 129; 130 for Ctrl-C).
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from redisprep.errors import RunHungUpError, RunInterruptedError, RunTerminatedError


class Stopped(KeyboardInterrupt):
    """The process received SIGTERM or SIGHUP."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def install() -> Callable[[], int | None]:
    """Turn SIGTERM and SIGHUP into :class:`Stopped` in the main thread (no-op elsewhere).

    A signal the process inherited as ignored (``nohup`` ignores SIGHUP) is left ignored.

    Returns:
        A function giving the last signal received (None before any): an interrupt that arrives
        before a command's own handling (while options are parsed) leaves the CLI framework with
        only exit code 130, and the entry point uses it to name the signal after all.
    """
    last: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def stop(signum: int, frame: FrameType | None) -> None:
        last.append(signum)
        raise Stopped(signum)

    # A signal ignored when we start stays ignored: `nohup redisprep ...` asked to outlive a hang-up.
    _swap([s for s in _signals("SIGTERM", "SIGHUP") if signal.getsignal(s) is not signal.SIG_IGN], stop)
    return lambda: last[-1] if last else None


#: Interrupts Python swallowed: raised by a signal handler that ran inside a finalizer (``__del__``),
#: a weakref callback or an at-fork hook, where an exception can only be printed and dropped.
_swallowed: list[KeyboardInterrupt] = []


@contextmanager
def catching_swallowed() -> Iterator[None]:
    """Within: keep, instead of printing, an interrupt raised where Python cannot propagate it.

    A signal handler runs between any two bytecodes, also inside a garbage-collected object's
    ``__del__`` (a redis-py pipeline's, say) or an at-fork hook; its ``KeyboardInterrupt`` is then
    printed as "Exception ignored in ..." and lost, and the run would go on as if the user had not
    pressed Ctrl-C. Here the interrupt is kept, and :func:`raise_swallowed` (called before each
    command of a run) raises it where it stops the run. Other unraisable exceptions go to the hook
    that was there before, which is restored after. No-op outside the main thread.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = sys.unraisablehook

    def keep(unraisable: Any) -> None:
        if isinstance(unraisable.exc_value, KeyboardInterrupt):
            _swallowed.append(unraisable.exc_value)
            return
        previous(unraisable)

    sys.unraisablehook = keep
    try:
        yield
    finally:
        sys.unraisablehook = previous
        _swallowed.clear()


def raise_swallowed() -> None:
    """Raise the interrupt Python swallowed (see :func:`catching_swallowed`), once; main thread only."""
    if _swallowed and threading.current_thread() is threading.main_thread():
        exc = _swallowed[0]
        _swallowed.clear()
        raise exc


def _signals(*names: str) -> list[signal.Signals]:
    """The signals of ``names`` this platform has."""
    return [getattr(signal, n) for n in names if hasattr(signal, n)]


def _swap(sigs: list[signal.Signals], handler: Any) -> dict[signal.Signals, Any]:
    """Install ``handler`` (a function, or one per signal in a dict) for ``sigs``; returns the old ones."""
    previous = {s: signal.getsignal(s) for s in sigs}
    for sig in sigs:
        signal.signal(sig, handler[sig] if isinstance(handler, dict) else handler)
    return previous


@contextmanager
def raising() -> Iterator[None]:
    """Within: SIGTERM and SIGHUP raise :class:`Stopped` (main thread only); the previous handlers after.

    A run installs this itself, so its cleanup runs on those signals however it was started (the
    console entry point, a test, a library caller), and leaves the caller's handlers as they were.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: FrameType | None) -> None:
        raise Stopped(signum)

    # nohup, or a parent that chose to ignore a signal: keep ignoring it
    previous: dict[signal.Signals, Any] = {}
    try:
        for sig in _signals("SIGTERM", "SIGHUP"):  # one at a time: see held()
            if signal.getsignal(sig) is not signal.SIG_IGN:
                previous.update(_swap([sig], stop))
        yield
    finally:
        _swap(list(previous), previous)


def what(exc: BaseException) -> str:
    """``interrupted`` (Ctrl-C), ``terminated (SIGTERM)`` or ``hung up (SIGHUP)``."""
    if isinstance(exc, Stopped):
        return "terminated (SIGTERM)" if exc.signum == signal.SIGTERM else "hung up (SIGHUP)"
    return "interrupted"


def interrupted(exc: BaseException, detail: str) -> RunInterruptedError:
    """The error to raise after ``exc`` (an interrupt) and the cleanup ``detail`` describes."""
    message = f"{what(exc)}; {detail}" if detail else what(exc)
    if isinstance(exc, Stopped):
        return RunTerminatedError(message) if exc.signum == signal.SIGTERM else RunHungUpError(message)
    return RunInterruptedError(message)


#: Signals that a cleanup must not be stopped by: Ctrl-C, SIGTERM and SIGHUP.
CLEANUP = ("SIGINT", "SIGTERM", "SIGHUP")
#: Every signal that stops a run: those, and SIGUSR1, with which ``drill all`` stops a worker.
STOP = (*CLEANUP, "SIGUSR1")


@contextmanager
def held(names: tuple[str, ...] = CLEANUP) -> Iterator[list[int]]:
    """Within: the signals of ``names`` (all, by default, but SIGUSR1) are noted, not handled.

    While cleaning up after an interrupt a second signal would otherwise stop the cleanup halfway
    (keys, an ACL user left behind); while a process is forked, an interrupt would be swallowed
    by an at-fork hook or leave a child whose PID nobody got. Yields the signals that arrived
    meanwhile, for the caller to drop or :func:`deliver`. No-op outside the main thread, where
    Python runs no signal handler.
    """
    arrived: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield arrived
        return

    def note(signum: int, frame: FrameType | None) -> None:
        arrived.append(signum)

    previous: dict[signal.Signals, Any] = {}
    try:
        # One at a time, so that an interrupt raised by a handler that runs while they are being
        # swapped (signal.signal() runs pending handlers first) still leaves the swapped ones restored.
        for sig in _signals(*names):
            previous.update(_swap([sig], note))
        yield arrived
    finally:
        _swap(list(previous), previous)


def deliver(arrived: list[int]) -> None:
    """Raise each signal :func:`held` noted again, once, in this process, to its own handler now."""
    for signum in dict.fromkeys(arrived):
        signal.raise_signal(signum)


@contextmanager
def deferred(names: tuple[str, ...] = STOP) -> Iterator[None]:
    """Within: the signals of ``names`` are noted; after the block they are raised again
    (:func:`deliver`), also when the block raised."""
    arrived: list[int] = []
    try:
        with held(names) as arrived:
            yield
    finally:
        deliver(arrived)
