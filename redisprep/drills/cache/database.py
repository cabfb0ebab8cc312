"""The slow "database" behind the cache drill: counts its loads, and can hold them to force a stampede."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

#: Longest a load is held back waiting for the other readers (only reached by a stuck implementation).
SETTLE_TIMEOUT_S = 5.0


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
    whatever the thread scheduling.
    """

    def __init__(self, value: str, readers: int, timeout_s: float = SETTLE_TIMEOUT_S) -> None:
        self.value = value
        self.readers = readers
        self.loads = 0
        self.timed_out = False
        """True if a load gave up waiting for the other readers."""
        self._timeout = timeout_s
        self._cond = threading.Condition()
        self._trips = [0] * readers
        self._settled: set[int] = set()

    def loader(self, reader: int) -> Callable[[], str]:
        """The ``load`` function reader number ``reader`` passes to the cache."""

        def load() -> str:
            with self._cond:
                self.loads += 1
                self._settle(reader)
                if not self._cond.wait_for(self._all_settled, self._timeout):
                    self.timed_out = True
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

    def _settle(self, reader: int) -> None:
        self._settled.add(reader)
        if self._all_settled():
            self._cond.notify_all()

    def _all_settled(self) -> bool:
        return len(self._settled) >= self.readers
