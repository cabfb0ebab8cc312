"""Read the grading child's frames in the thread that waits for them, while it can (no thread switch).

Each learner command is a frame from the child and a reply from the grader. With one reader thread
that hands every frame to the thread it is for, each command cost two thread switches in the grader
(the reader wakes the waiting thread, which must get the GIL back), hundreds of times per check. Here
the frames are read under a baton: a thread waiting for its next frame takes the baton if it is
free and reads itself, passing on frames meant for other threads; one that finds it taken waits
for what the holder passes on. A holder that got its own frame passes the baton by waking another
waiting thread, so frames are always read while anyone waits for one. The background thread reads
while nobody waits (start-up, frames outside any call), and also when a call's thread has been busy
elsewhere for :data:`BACKSTOP_S` (a frame nobody is waiting for, such as a question from a thread the
learner's code started, is never left unread).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any

#: How long the background thread lets calls read for themselves before it reads once for them.
BACKSTOP_S = 0.05

Frame = dict[str, Any]
Waiter = queue.SimpleQueue[Any]
"""A thread's mailbox: frames meant for it, None once the child is gone, or :data:`TURN`."""
#: Put in a waiting thread's mailbox: the baton is free, read yourself.
TURN = object()
_EMPTY = object()


class Relay:
    """The baton over one channel's frames, and the threads waiting for theirs."""

    def __init__(
        self,
        receive: Callable[[], Frame | None],
        route: Callable[[Frame], Waiter | None],
        lock: threading.Lock,
    ) -> None:
        """
        Args:
            receive: The next frame, or None once the child is gone (after recording why).
            route: The mailbox ``frame`` belongs to, or None once it was dealt with otherwise.
            lock: Guards the owner's state; :meth:`idle_changed` is notified under it.
        """
        self._receive = receive
        self._route = route
        self._lock = lock
        self._baton = threading.Lock()
        self._waiting: list[Waiter] = []
        self.idle_changed = threading.Condition(lock)
        """Notified (under ``lock``) when the last call ended or the child is gone."""

    def wait(self, mine: Waiter) -> Frame | None:
        """The next frame for ``mine``, read by this thread while it holds the baton; None: gone."""
        while True:
            with self._lock:
                self._waiting.append(mine)
            if not self._baton.acquire(blocking=False):
                got = mine.get()
                self._leave(mine)
                if got is TURN:
                    continue
                if _drop_turns(mine):  # a turn came after this frame: pass it on, or nobody reads
                    self._pass_baton()
                return got  # type: ignore[no-any-return]
            self._leave(mine)
            try:
                got = _queued(mine)  # passed on just before this thread took the baton
                if got is _EMPTY:
                    got = self._receive()
                    target = self._route(got) if got is not None else mine
                    if target is not mine:
                        if target is not None:
                            target.put(got)
                        continue  # someone else's frame, passed on: read on (``finally`` releases)
            finally:
                self._baton.release()
            self._pass_baton()
            return got  # type: ignore[no-any-return]

    def serve(self, busy: Callable[[], bool], gone: Callable[[], bool]) -> None:
        """The background thread: read while no call waits (see the module docstring), until gone.

        Args:
            busy: Whether calls are in flight (their threads read for themselves).
            gone: Whether the child is gone.
        """
        while True:
            with self._lock:
                while not gone() and busy():
                    if not self.idle_changed.wait(BACKSTOP_S) and not self._baton.locked():
                        break
                if gone():
                    return
            with self._baton:
                frame = self._receive()
            if frame is None:
                return
            target = self._route(frame)
            if target is not None:
                target.put(frame)
            self._pass_baton()

    def _leave(self, mine: Waiter) -> None:
        with self._lock:
            if mine in self._waiting:
                self._waiting.remove(mine)

    def _pass_baton(self) -> None:
        """Wake a thread that waits for a frame, so that someone reads while this one works."""
        with self._lock:
            if self._waiting:
                self._waiting[0].put(TURN)


def _drop_turns(mine: Waiter) -> bool:
    """Take the turns out of ``mine`` (keeping a None that says the child is gone); any found?"""
    found, kept = False, []
    while True:
        try:
            got = mine.get_nowait()
        except queue.Empty:
            break
        if got is TURN:
            found = True
        else:
            kept.append(got)
    for got in kept:
        mine.put(got)
    return found


def _queued(mine: Waiter) -> Any:
    """The first frame (or None) in ``mine``, skipping turns; :data:`_EMPTY` when there is none."""
    while True:
        try:
            got = mine.get_nowait()
        except queue.Empty:
            return _EMPTY
        if got is not TURN:
            return got
