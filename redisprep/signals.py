"""SIGTERM and SIGHUP end a run the way Ctrl-C does: as an interrupt, so every cleanup path runs.

:func:`install` (called by the console entry point) makes both signals raise :class:`Stopped`, a
``KeyboardInterrupt``, in the main thread; each command's ``except KeyboardInterrupt`` then removes
the run's keys and says so, and the exit code names the signal (143, 129; 130 for Ctrl-C).
"""

from __future__ import annotations

import signal
import threading
from types import FrameType

from redisprep.errors import RunHungUpError, RunInterruptedError, RunTerminatedError


class Stopped(KeyboardInterrupt):
    """The process received SIGTERM or SIGHUP."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def install() -> None:
    """Turn SIGTERM and SIGHUP into :class:`Stopped` in the main thread (no-op elsewhere)."""
    if threading.current_thread() is not threading.main_thread():
        return

    def stop(signum: int, frame: FrameType | None) -> None:
        raise Stopped(signum)

    for name in ("SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is not None:
            signal.signal(sig, stop)


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
