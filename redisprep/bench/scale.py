"""The leaderboard at scale: grow one sorted set to 1k, 10k, 100k, 1M members; time rank and top-K."""

from __future__ import annotations

import random
import time
from typing import Any

from redisprep.backends import Namespace
from redisprep.bench.histogram import Recorder
from redisprep.bench.model import Progress, ScalePoint

SIZES = (1_000, 10_000, 100_000, 1_000_000)
_PER_ZADD = 1_000
_PER_PIPELINE = 10


def sizes_up_to(players: int) -> list[int]:
    """The standard sizes not above ``players`` (and ``players`` itself if it is not one of them)."""
    chosen = [s for s in SIZES if s <= players]
    if not chosen or chosen[-1] != players:
        chosen.append(players)
    return chosen


def scale_run(
    client: Any, ns: Namespace, players: int, queries: int, seed: int, progress: Progress
) -> list[ScalePoint]:
    """Grow the board size by size; after each, time ``queries`` ZREVRANKs and top-10 reads."""
    board = ns.key("bench", "leaderboard")
    rng = random.Random(seed)
    points: list[ScalePoint] = []
    have = 0
    for size in sizes_up_to(players):
        start = time.perf_counter()
        while have < size:
            pipe = client.pipeline(transaction=False)
            for _ in range(_PER_PIPELINE):
                if have >= size:
                    break
                batch = min(_PER_ZADD, size - have)
                pipe.zadd(board, {f"p{have + j}": rng.randrange(10**9) for j in range(batch)})
                have += batch
            pipe.execute()
            progress(f"seeding {size:,} players", have, players)
        seeded = time.perf_counter() - start
        rank, top = Recorder(), Recorder()
        for _ in range(queries):
            member = f"p{rng.randrange(size)}"
            t0 = time.perf_counter()
            client.zrevrank(board, member)
            t1 = time.perf_counter()
            client.execute_command("ZRANGE", board, 0, 9, "REV", "WITHSCORES")
            t2 = time.perf_counter()
            rank.record((t1 - t0) * 1e6)
            top.record((t2 - t1) * 1e6)
        points.append(
            ScalePoint(
                size, seeded, rank.summary(f"ZREVRANK at {size:,}"), top.summary(f"top-10 at {size:,}")
            )
        )
    return points
