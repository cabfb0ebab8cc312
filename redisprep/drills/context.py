"""What a drill step or check receives: clients on one dataset, the run's namespace, tracer and RNG."""

from __future__ import annotations

import functools
import random
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from redisprep.backends import Backend, Namespace
from redisprep.drills.breaker import Breaker, guard
from redisprep.drills.interleave import LockstepAbortedError
from redisprep.explain.tracing import Tracer

T = TypeVar("T")


@dataclass
class DrillContext:
    """Shared by every step and check of one run."""

    backend: Backend
    ns: Namespace
    tracer: Tracer
    seed: int
    rng: random.Random
    wrap: Callable[[Any], Any] | None = None
    """Applied to every new client before the tracer (the practice grader's key guard)."""
    reader: Callable[[], Any] | None = None
    """Makes the client :meth:`scan_keys` reads with (the practice grader's own connection: the
    run's ACL user may not SCAN, which would show it other keys' names). None: a new client."""
    r: Any = field(init=False)
    """The main traced client."""
    breaker: Breaker = field(init=False, repr=False)
    """Makes every client fail at once after the server was found gone (no second timeout)."""

    def __post_init__(self) -> None:
        self.breaker = Breaker(self.backend)
        self.r = self.client()

    @classmethod
    def create(
        cls,
        backend: Backend,
        seed: int = 0,
        ns: Namespace | None = None,
        tracer: Tracer | None = None,
        wrap: Callable[[Any], Any] | None = None,
    ) -> DrillContext:
        """A context with a fresh namespace, a tracer (``tracer`` or a new one) and a seeded RNG.

        Args:
            wrap: Called on every client the context hands out, before the tracer wraps it.
        """
        return cls(backend, ns or Namespace.new(), tracer or Tracer(), seed, random.Random(seed), wrap)

    def client(self) -> Any:
        """A new traced client on the run's dataset (give each thread its own)."""
        client = self.backend.client()
        if self.wrap is not None:
            client = self.wrap(client)
        return guard(self.tracer.attach(client), self.breaker)

    def scan_keys(self, pattern: str) -> list[str]:
        """Keys matching ``pattern`` (inside the run's namespace), found with SCAN, untraced."""
        if not pattern.startswith(self.ns.prefix):
            raise ValueError(f"{pattern!r} is outside the run's namespace")
        client = self.reader() if self.reader is not None else self.backend.client()
        found = client.scan_iter(match=pattern, count=1000)
        return sorted(k.decode() if isinstance(k, bytes) else str(k) for k in found)

    def key(self, *parts: str) -> str:
        """A key inside this run's namespace."""
        return self.ns.key(*parts)

    def fork_rng(self, label: str) -> random.Random:
        """An RNG for one step, independent of how much other steps drew from :attr:`rng`."""
        return random.Random(f"{self.seed}:{label}")

    def run_workers(self, count: int, work: Callable[[int, Any], T]) -> list[T]:
        """Run ``work(index, client)`` in ``count`` threads, each with its own client.

        Exceptions raised in a worker are re-raised here, after every worker has stopped.
        """
        clients = [self.client() for _ in range(count)]
        return run_threads([functools.partial(work, i, clients[i]) for i in range(count)])


def run_threads(jobs: Sequence[Callable[[], T]]) -> list[T]:
    """Run each job in its own thread; return results in order, re-raising the first error.

    A :class:`LockstepAbortedError` only says that another job failed first, so that failure is
    the one re-raised. The threads are daemons: when Ctrl-C (or SIGTERM) interrupts the wait, the
    caller goes on to clean up at once, and a job stuck waiting for others (a barrier whose parties
    never all arrive) cannot keep the process from exiting.
    """
    results: list[Any] = [None] * len(jobs)
    errors: list[BaseException | None] = [None] * len(jobs)

    def run(i: int, job: Callable[[], T]) -> None:
        try:
            results[i] = job()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            errors[i] = exc

    threads = [threading.Thread(target=run, args=(i, job), daemon=True) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    failed = [e for e in errors if e is not None]
    if failed:
        raise next((e for e in failed if not isinstance(e, LockstepAbortedError)), failed[0])
    return results
