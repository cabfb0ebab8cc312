"""A Sentinel failover on private servers, seen by a redis-py client that asks Sentinel for the primary.

Three sentinels (quorum 2, ``down-after-milliseconds`` 500) watch a primary with one replica. A
client made with ``redis.sentinel.Sentinel(...).master_for(...)`` writes; the primary is killed
with SIGKILL; the client keeps writing, recording every error, until a write succeeds again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from redisprep.drills.replication.fleet import Fleet, Outage, no_retry, wait_until, write_until_it_works
from redisprep.drills.replication.trials import traced

if TYPE_CHECKING:
    from redisprep.explain.tracing import Tracer

NAME = "redisprep"
"""The name the sentinels monitor the primary under (``sentinel monitor NAME ...``)."""
SENTINELS = 3
QUORUM = 2
DOWN_AFTER_MS = 500
CLIENT_TIMEOUT_S = 0.25
GIVE_UP_S = 45.0
"""Past a Sentinel's TILT (30 s of inaction after its timer ran late, as on a loaded machine)."""
DISCOVERY_TIMEOUT_S = 15.0


@dataclass(frozen=True, slots=True)
class SentinelTrial:
    """What the writing client saw through one Sentinel failover."""

    acknowledged: int
    """Writes acknowledged (``write`` returned True) before the primary was killed."""
    lost_acknowledged: int
    """Of those, how many the new primary lacks."""
    outage: Outage
    """From the SIGKILL to the first write that succeeded again, and the errors on the way."""
    old_primary: str = ""
    new_primary: str = ""
    replica: str = ""
    discovery_s: float = 0.0
    """How long the sentinels took to find the replica and each other before the kill."""

    @property
    def promoted_replica(self) -> bool:
        """Sentinel now names the former replica as the primary."""
        return self.new_primary == self.replica


def sentinel_failover(
    impl: Any, writes: int, *, prefix: str = "repl", tracer: Tracer | None = None
) -> SentinelTrial:
    """Write ``writes`` keys through Sentinel with ``impl.write``, kill the primary, write until it works.

    Raises:
        BackendUnsupportedError: No redis-server to start.
        BackendUnavailableError: A process did not start, or no write succeeded in 30 s.
    """
    from redis.sentinel import Sentinel

    with Fleet() as fleet:
        primary = fleet.server()
        replica = fleet.replica_of(primary)
        watchers = [
            fleet.sentinel(primary, name=NAME, quorum=QUORUM, down_after_ms=DOWN_AFTER_MS)
            for _ in range(SENTINELS)
        ]
        discovery_s = sum(
            wait_until(
                _knows_everyone(fleet.connect(s.port)),
                "sentinels discovering each other",
                DISCOVERY_TIMEOUT_S,
            )
            for s in watchers
        )
        sentinel = Sentinel(
            [("127.0.0.1", s.port) for s in watchers],
            socket_timeout=CLIENT_TIMEOUT_S,
            socket_connect_timeout=CLIENT_TIMEOUT_S,
            sentinel_kwargs={
                "socket_timeout": CLIENT_TIMEOUT_S,
                "socket_connect_timeout": CLIENT_TIMEOUT_S,
                "retry": no_retry(),
            },
        )
        w = sentinel.master_for(
            NAME,
            socket_timeout=CLIENT_TIMEOUT_S,
            socket_connect_timeout=CLIENT_TIMEOUT_S,
            decode_responses=True,
            retry=no_retry(),
        )
        try:
            keys = [f"{prefix}:s:{i}" for i in range(writes)]
            acked = []
            with traced(w, impl, tracer) as (client, operation):
                for i, key in enumerate(keys):
                    with operation():
                        if impl.write(client, key, str(i)):
                            acked.append(key)
            killed = time.monotonic()
            primary.kill()
            outage = write_until_it_works(
                lambda: w.set(f"{prefix}:after", "1"), killed, GIVE_UP_S, lambda: _states(fleet, watchers)
            )
            host, port = sentinel.discover_master(NAME)
            new = fleet.connect(int(port))
            pipe = new.pipeline(transaction=False)
            for key in acked:
                pipe.exists(key)
            lost = sum(not int(n) for n in pipe.execute())
        finally:
            w.close()
            for s in sentinel.sentinels:
                s.close()
        return SentinelTrial(
            acknowledged=len(acked),
            lost_acknowledged=lost,
            outage=outage,
            old_primary=f"127.0.0.1:{primary.port}",
            new_primary=f"{host}:{port}",
            replica=f"127.0.0.1:{replica.port}",
            discovery_s=discovery_s,
        )


def master_state(s: Any) -> dict[str, Any]:
    """SENTINEL MASTER, parsed into a dict (redis-py 6.3's ``sentinel_master`` hands its callback a
    ``return_responses`` argument the callback does not take, on a plain client)."""
    state: dict[str, Any] = s.execute_command("SENTINEL MASTER", NAME)
    return state


def _knows_everyone(s: Any) -> Any:
    def ready() -> bool:
        state = master_state(s)
        return int(state["num-slaves"]) >= 1 and int(state["num-other-sentinels"]) >= SENTINELS - 1

    return ready


def _states(fleet: Fleet, watchers: list[Any]) -> str:
    """Each sentinel's view when a failover did not happen: TILT, and the primary's flags."""
    seen = []
    for s in watchers:
        try:
            c = fleet.connect(s.port, 0.5)
            tilt = c.info("sentinel").get("sentinel_tilt")
            flags = master_state(c).get("flags")
            seen.append(f"sentinel {s.port}: tilt={tilt} flags={flags}")
        except Exception as exc:  # noqa: BLE001 (a diagnostic: any failure is shown, not raised)
            seen.append(f"sentinel {s.port}: {type(exc).__name__}")
    return "; ".join(seen)
