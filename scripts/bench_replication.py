"""Lost acknowledged writes and failover time over repeated failovers, for the replication note.

Each failover starts its own private primary and replica (and, for Sentinel, three sentinels) on
loopback with the server ``redisprep`` would start (``$REDISPREP_SERVER`` or ``redis-server`` on
PATH), kills the primary with SIGKILL and stops every process by PID. Scenarios:

- ``SET, replica held back``: the replica paused (SIGSTOP) and its link dropped, then N writes.
- ``SET + WAIT 1 50, replica held back``: the same, each write followed by ``WAIT 1 50``.
- ``SET, replica running`` / ``SET + WAIT 1 50, replica running``: the primary killed right after
  the last of N writes, nothing held back.
- ``Sentinel``: 3 sentinels (quorum 2, down-after-milliseconds 500), a redis-py ``master_for``
  client writes N keys with WAIT, the primary is killed, the client retries every 10 ms.
- ``Cluster``: 3 primaries with 1 replica each (``redis-cli --cluster create``, node timeout
  3000 ms); redis-py's ``RedisCluster`` writes N keys (plain SET) to one slot, its primary is
  killed, the client retries every 10 ms; its slot-map reloads are counted.

"acknowledged" is what the client counted as done: SET's OK without WAIT, WAIT replying >= 1 with it.
Usage: python scripts/bench_replication.py [--runs 5] [--writes 10] [--no-cluster]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import Counter
from types import SimpleNamespace

from redisprep.drills.replication import reference as ref
from redisprep.drills.replication import sentinel, trials
from redisprep.drills.replication.cluster_failover import cluster_failover
from redisprep.errors import BackendUnavailableError
from redisprep.localserver import find_binary

NAIVE = SimpleNamespace(write=ref.naive_write)


def _spread(values: list[float], unit: str, digits: int = 2) -> str:
    if not values:
        return "-"
    med, lo, hi = statistics.median(values), min(values), max(values)
    return f"{med:.{digits}f} ({lo:.{digits}f}-{hi:.{digits}f}) {unit}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="failovers per scenario (default 5)")
    parser.add_argument("--writes", type=int, default=10, help="writes per failover (default 10)")
    parser.add_argument("--no-cluster", action="store_true", help="skip the cluster failovers")
    args = parser.parse_args()
    print(f"server: {find_binary()}; {args.runs} failovers per scenario, {args.writes} writes each")
    print()
    header = (
        "scenario",
        "acked / failover",
        "lost acked per failover",
        "write ms median",
        "kill -> writes again",
    )
    rows: list[tuple[str, ...]] = []
    manual = [
        ("SET, replica held back", NAIVE, True),
        (f"SET + WAIT {ref.WAIT_REPLICAS} {ref.WAIT_TIMEOUT_MS}, replica held back", ref, True),
        ("SET, replica running", NAIVE, False),
        (f"SET + WAIT {ref.WAIT_REPLICAS} {ref.WAIT_TIMEOUT_MS}, replica running", ref, False),
    ]
    for label, impl, hold in manual:
        runs = [trials.failover(impl, args.writes, hold_back=hold) for _ in range(args.runs)]
        rows.append(
            (
                label,
                "/".join(str(t.acknowledged) for t in runs),
                "/".join(str(t.lost_acknowledged) for t in runs)
                + f" (applied but lost: {'/'.join(str(t.lost) for t in runs)})",
                f"{statistics.median(t.write_ms for t in runs):.3f}",
                "promote by hand: " + _spread([t.promote_ms for t in runs], "ms", 1),
            )
        )
    seen: Counter[str] = Counter()
    began = time.monotonic()
    s_runs = []
    stuck = []
    for _ in range(args.runs):
        try:
            s_runs.append(sentinel.sentinel_failover(ref, args.writes))
        except BackendUnavailableError as exc:  # kept in the table, never hidden: a failover that never came
            stuck.append(str(exc))
    sentinel_s = time.monotonic() - began
    for t in s_runs:
        seen.update(t.outage.errors)
    rows.append(
        (
            f"Sentinel (3, quorum {sentinel.QUORUM}, down-after {sentinel.DOWN_AFTER_MS} ms), WAIT",
            "/".join(str(t.acknowledged) for t in s_runs),
            "/".join(str(t.lost_acknowledged) for t in s_runs),
            "-",
            _spread([t.outage.seconds for t in s_runs], "s"),
        )
    )
    c_runs = [] if args.no_cluster else [cluster_failover(args.writes) for _ in range(args.runs)]
    if c_runs:
        rows.append(
            (
                "Cluster (3 primaries + 1 replica each, node timeout 3000 ms), SET",
                "/".join(str(t.acknowledged) for t in c_runs),
                "/".join(str(t.lost_acknowledged) for t in c_runs),
                "-",
                _spread([t.outage.seconds for t in c_runs], "s"),
            )
        )
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]
    for row in (header, tuple("-" * w for w in widths), *rows):
        print(" | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))
    print()
    promoted = sum(t.promoted_replica for t in s_runs)
    print(f"Sentinel: the former replica promoted in {promoted} of {len(s_runs)} failovers; ")
    print(f"  what the client saw (all failovers): {dict(seen)}")
    discovery = _spread([t.discovery_s for t in s_runs], "s")
    print(f"  sentinels discovering each other before each kill: {discovery}")
    print(f"  Sentinel scenario wall time: {sentinel_s:.1f} s")
    print(f"  failovers where no write succeeded within {sentinel.GIVE_UP_S:.0f} s: {len(stuck)}")
    for why in stuck:
        print(f"    {why}")
    if c_runs:
        c_seen: Counter[str] = Counter()
        for c in c_runs:
            c_seen.update(c.outage.errors)
        took = sum(c.promoted_replica for c in c_runs)
        reloads = "/".join(str(c.slot_map_reloads) for c in c_runs)
        print(f"Cluster: the killed primary's replica took its slots in {took} of {len(c_runs)} failovers")
        print(f"  what RedisCluster saw (all failovers): {dict(c_seen)}")
        print(f"  slot-map reloads after the kill, per failover: {reloads}")
        print(f"  cluster start (6 nodes): {_spread([c.startup_s for c in c_runs], 's')}")


if __name__ == "__main__":
    main()
