"""The slow "database" behind the cache drill: counts its loads, and can hold them to force a stampede."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

#: Longest a load is held back waiting for the other readers (only reached by a stuck implementation).
SETTLE_TIMEOUT_S = 5.0
#: Round trips each waiting reader sends before a load may finish: its miss, then 5 polls, so a
#: waiter that gives up after a few polls and loads itself is caught (the reference's backoff
#: reaches its 6th round trip about 31 ms after its miss).
PATIENT_TRIPS = 6
#: Longest a settled load waits for PATIENT_TRIPS (a waiter that polls slowly, or blocks, passes).
PATIENCE_S = 0.1
#: A reader that had sent this many round trips when it loaded had been waiting: it gave up.
GAVE_UP_TRIPS = 3


@dataclass
class Database:
    """One row of the system of record, and how many times it was read."""

    value: str
    loads: int = 0
    _mutex: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def load(self) -> str:
        """Read the row (the expensive call the cache exists to avoid)."""
        with self._mutex:
            self.loads += 1
        return self.value


class StampedeDatabase:
    """A database whose loads all finish together, after every reader has made its first decision.

    A load returns only once each reader has either started a load itself or sent a second round
    trip (it has seen the miss and is now waiting for someone else's load). So a cache without
    stampede protection loads once per reader, exactly, and a single-flight cache loads once,
    whatever the thread scheduling. It then stays in flight until every waiter has polled
    ``PATIENT_TRIPS`` times (or ``PATIENCE_S``), so waiters that give up early load too.
    """

    def __init__(self, value: str, readers: int, timeout_s: float = SETTLE_TIMEOUT_S) -> None:
        self.value = value
        self.readers = readers
        self.loads = 0
        self.timed_out = False
        """True if a load gave up waiting for the other readers."""
        self.gave_up = 0
        """Loads after the first by readers that had polled before they loaded (they stopped waiting)."""
        self._timeout = timeout_s
        self._cond = threading.Condition()
        self._trips = [0] * readers
        self._settled: set[int] = set()
        self._patient: set[int] = set()

    def loader(self, reader: int) -> Callable[[], str]:
        """The ``load`` function reader number ``reader`` passes to the cache."""

        def load() -> str:
            with self._cond:
                self.loads += 1
                # A second load, by a reader that had already polled: it stopped waiting for the first.
                self.gave_up += self.loads > 1 and self._trips[reader] >= GAVE_UP_TRIPS
                self._settle(reader)
                self._patient.add(reader)
                if not self._cond.wait_for(self._all_settled, self._timeout):
                    self.timed_out = True
                else:
                    self._cond.wait_for(lambda: len(self._patient) >= self.readers, PATIENCE_S)
            return self.value

        return load

    def watch(self, reader: int, client: Any) -> Any:
        """Make ``client`` report each round trip it is about to send. Returns the client."""
        send = client.execute_command
        make_pipeline = client.pipeline

        def execute_command(*args: Any, **options: Any) -> Any:
            self._sent(reader)
            return send(*args, **options)

        def pipeline(*p_args: Any, **p_kwargs: Any) -> Any:
            pipe = make_pipeline(*p_args, **p_kwargs)
            run = pipe.execute

            def execute(*a: Any, **k: Any) -> Any:
                self._sent(reader)
                return run(*a, **k)

            pipe.execute = execute
            return pipe

        client.execute_command = execute_command
        client.pipeline = pipeline
        return client

    def _sent(self, reader: int) -> None:
        with self._cond:
            self._trips[reader] += 1
            if self._trips[reader] >= 2:
                self._settle(reader)
            if self._trips[reader] >= PATIENT_TRIPS:
                self._patient.add(reader)
                if len(self._patient) >= self.readers:
                    self._cond.notify_all()

    def _settle(self, reader: int) -> None:
        self._settled.add(reader)
        if self._all_settled():
            self._cond.notify_all()

    def _all_settled(self) -> bool:
        return len(self._settled) >= self.readers
