"""One manual failover on private servers: writes, kill -9 of the primary, promotion, and what was lost.

A trial starts a primary and one replica, writes :data:`BEFORE` keys that the replica is known to
have (``WAIT``), then optionally *holds the replica back* and sends more writes through an
implementation's ``write(r, key, value) -> bool``. Holding back is deterministic: the replica is
paused (SIGSTOP) and the primary drops its replication link (``CLIENT KILL TYPE replica``), so
nothing written afterwards can reach it, even through the kernel's socket buffers. Then the primary
is killed with SIGKILL, the replica is continued and promoted (``REPLICAOF NO ONE``), and each key is
looked up on it.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from redisprep.drills.replication.fleet import Fleet, wait_until
from redisprep.errors import BackendUnavailableError

if TYPE_CHECKING:
    from redisprep.explain.tracing import Tracer

BEFORE = 10
"""Writes made, and confirmed replicated, before the replica is held back."""


@dataclass(frozen=True, slots=True)
class Trial:
    """What one failover kept and lost."""

    held_back: bool
    writes: int
    """Writes sent after the replica was held back (or after :data:`BEFORE`, when it was not)."""
    acknowledged: int
    """Writes the implementation reported as acknowledged (``write`` returned True)."""
    on_primary: int
    """Of the writes, how many the primary had applied just before it was killed."""
    kept: int
    """Of the writes, how many the promoted replica has."""
    lost_acknowledged: int
    """Acknowledged writes the promoted replica lacks."""
    before_kept: int
    """Of the :data:`BEFORE` writes, how many the promoted replica has."""
    missing_are_the_held_back: bool
    """The replica lacks exactly the writes sent after it was held back (and nothing else)."""
    write_ms: float
    """Median latency of one ``write`` call, in milliseconds."""
    promote_ms: float
    """From the SIGKILL to the replica answering as a primary."""

    @property
    def lost(self) -> int:
        """Writes the primary had applied (and answered OK to) that the new primary lacks."""
        return self.writes - self.kept


def failover(
    impl: Any, writes: int, *, hold_back: bool, prefix: str = "repl", tracer: Tracer | None = None
) -> Trial:
    """Run one failover trial with ``impl.write``; every process is gone when this returns.

    Args:
        tracer: Records the ``write`` calls (their own connection), labelled with the function's name.

    Raises:
        BackendUnsupportedError: No redis-server to start.
        BackendUnavailableError: A private server did not start or sync, or the held-back replica
            was continued from outside (job control), which voids the trial.
    """
    with Fleet() as fleet:
        primary = fleet.server()
        replica = fleet.replica_of(primary)
        p = fleet.connect(primary.port)
        rc = fleet.connect(replica.port)
        before = [f"{prefix}:before:{i}" for i in range(BEFORE)]
        for i, key in enumerate(before):
            p.set(key, i)
        wait_until(lambda: int(p.wait(1, 100)) >= 1, "the replica has the first writes")
        if hold_back:
            fleet.pause(replica)
            p.client_kill_filter(_type="slave")  # Redis's older name for replica; redis-py 6.3 knows only it
        keys = [f"{prefix}:w:{i}" for i in range(writes)]
        acked: list[str] = []
        took: list[float] = []
        with traced(fleet.connect(primary.port), impl, tracer) as (w, operation):
            for i, key in enumerate(keys):
                began = time.perf_counter()
                with operation():
                    done = impl.write(w, key, str(i))
                took.append((time.perf_counter() - began) * 1000)
                if done:
                    acked.append(key)
        on_primary = _present(p, keys)
        if hold_back and not fleet.still_paused(replica):
            raise BackendUnavailableError(
                "the held-back replica was continued by a signal from outside redisprep (job control: "
                "Ctrl-Z then fg continues the whole process group), so this failover does not count; "
                "run the drill again"
            )
        killed = time.perf_counter()
        primary.kill()
        if hold_back:
            fleet.resume(replica)
        rc.replicaof("NO", "ONE")
        wait_until(lambda: rc.info("replication").get("role") == "master", "the replica promoted")
        promote_ms = (time.perf_counter() - killed) * 1000
        have = _present_set(rc, keys)
        before_kept = len(_present_set(rc, before))
        missing = set(keys) - have
        return Trial(
            held_back=hold_back,
            writes=writes,
            acknowledged=len(acked),
            on_primary=on_primary,
            kept=len(have),
            lost_acknowledged=sum(k not in have for k in acked),
            before_kept=before_kept,
            missing_are_the_held_back=missing == (set(keys) if hold_back else set())
            and before_kept == BEFORE,
            write_ms=statistics.median(took) if took else 0.0,
            promote_ms=promote_ms,
        )


@contextmanager
def traced(client: Any, impl: Any, tracer: Tracer | None) -> Iterator[tuple[Any, Any]]:
    """``client`` recorded by ``tracer`` (if any) inside the block, and the operation label to use."""
    if tracer is None:
        yield client, nullcontext
        return
    label = getattr(impl.write, "__name__", "write")
    tracer.attach(client)
    try:
        yield client, lambda: tracer.operation(label)
    finally:
        tracer.detach(client)


def _present_set(r: Any, keys: list[str]) -> set[str]:
    """The keys of ``keys`` that exist on ``r`` (one pipeline of EXISTS)."""
    pipe = r.pipeline(transaction=False)
    for key in keys:
        pipe.exists(key)
    return {k for k, n in zip(keys, pipe.execute(), strict=True) if int(n)}


def _present(r: Any, keys: list[str]) -> int:
    return len(_present_set(r, keys))


def write_latency(impls: dict[str, Any], writes: int, *, prefix: str = "repl") -> dict[str, float]:
    """Median milliseconds of one ``write`` per implementation, with the replica running (no failover)."""
    with Fleet() as fleet:
        primary = fleet.server()
        fleet.replica_of(primary)
        p = fleet.connect(primary.port)
        out = {}
        for label, impl in impls.items():
            took = []
            for i in range(writes):
                began = time.perf_counter()
                impl.write(p, f"{prefix}:lat:{label}:{i}", str(i))
                took.append((time.perf_counter() - began) * 1000)
            out[label] = statistics.median(took)
        return out
