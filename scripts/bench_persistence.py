"""Acknowledged writes lost to ``kill -9`` per persistence policy, write rate, and restart time vs size.

The figures behind the persistence drill and its cards, over more kills and bigger datasets than the
drill's quick run. Every server is a private redis-server started here (``$REDISPREP_SERVER`` picks
another binary), killed by PID, its folder removed. Each kill lands after a random time of writing
drawn from ``--seed``; RDB's count is checked against ``rdb_changes_since_last_save`` read just
before the kill. Usage: python scripts/bench_persistence.py [--kills N] [--seed S] [--sizes 100000,1000000]
"""

from __future__ import annotations

import argparse
import random
import statistics

from redisprep.drills.persistence import reference, restart
from redisprep.drills.persistence.crash import POLICIES, KillTrial, kill_trial

WINDOW_S = (0.5, 3.5)
"""Seconds of writing before each kill: RDB (save 1 1) is caught both before and after snapshots."""


def _kills(kills: int, seed: int) -> list[list[KillTrial]]:
    rng = random.Random(seed)
    return [[kill_trial(p, rng.uniform(*WINDOW_S), reference.write) for _ in range(kills)] for p in POLICIES]


def _own(trials: list[KillTrial]) -> str:
    """What the server said just before each kill it would lose, and whether the kill agreed."""
    if trials[0].policy.kind == "rdb":
        counts = ",".join(str(t.unsaved) for t in trials)
        return f"rdb_changes_since_last_save {counts}: lost == it {all(t.lost == t.unsaved for t in trials)}"
    if trials[0].policy.kind == "aof":
        counts = ",".join(str(t.buffered) for t in trials)
        return f"held in AOF buffer {counts}: lost <= it {all(t.lost <= t.buffered for t in trials)}"
    return "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=5, help="kills per policy (default 5)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sizes", default="100000,1000000", help="keys before each timed restart")
    args = parser.parse_args()
    by_policy = _kills(args.kills, args.seed)
    server = by_policy[0][0].server
    lo, hi = WINDOW_S
    print(f"{server}: {args.kills} kills per policy, each after {lo}-{hi} s of writes (seed {args.seed})")
    print(
        f"{'policy':<14}{'acknowledged':>13}{'lost':>9}{'lost per kill':>36}{'writes/s (median)':>19}"
        "  the server's own count, per kill"
    )
    for trials in by_policy:
        acked = sum(t.acknowledged for t in trials)
        lost = sum(t.lost for t in trials)
        per_kill = ",".join(str(t.lost) for t in trials)
        rate = statistics.median(t.ops_per_s for t in trials)
        print(f"{trials[0].policy.shown:<14}{acked:>13}{lost:>9}{per_kill:>36}{rate:>19,.0f}  {_own(trials)}")
    print()
    print(
        f"{'file':<6}{'keys':>10}{'file MB':>9}{'load s (log)':>14}{'to first PONG s':>17}{'keys after':>12}"
    )
    for keys in (int(k) for k in args.sizes.split(",")):
        for fmt in restart.FORMATS:
            t = restart.restart_time(fmt, keys)
            load = "-" if t.load_s is None else f"{t.load_s:.3f}"
            mb = t.file_bytes / 1e6
            print(f"{t.format:<6}{t.keys:>10,}{mb:>9.1f}{load:>14}{t.wall_s:>17.3f}{t.keys_after:>12,}")


if __name__ == "__main__":
    main()
