"""Judge a leaderboard design: top-K and rank after a random stream of score updates, against brute force."""

from __future__ import annotations

import random

from redisprep.interview.judges._common import Judge, Outcomes, as_int, errors_in, flatten
from redisprep.interview.runner import Bench
from redisprep.quiz.model import Reply

PLAYERS, UPDATES, K = 60, 600, 10


def run(bench: Bench) -> Outcomes:
    rng = random.Random(19)
    totals: dict[str, int] = {}
    replies: list[Reply] = []
    for _ in range(UPDATES):
        player, points = f"p{rng.randrange(PLAYERS):02d}", rng.randint(1, 100)
        totals[player] = totals.get(player, 0) + points
        replies.append(bench.call("add", {"player": player, "points": str(points)}))
    ranked = sorted(totals.values(), reverse=True)
    top = bench.call("top", {"k": str(K), "stop": str(K - 1)})
    names = [x for x in flatten(top) if x in totals][:K]
    got = [totals[n] for n in names]
    top_ok = got == ranked[:K]
    shown = ", ".join(f"{n} ({totals[n]})" for n in names[:4]) or "no players"
    top_why = (
        f"top-{K} matches brute force over {UPDATES} updates (best {ranked[0]})"
        if top_ok
        else f"top-{K} gave {shown}...; brute force's best totals are {ranked[:4]}..."
        + errors_in([*replies, top])
    )
    wrong = []
    for player in sorted(totals)[::12]:
        rank = as_int(bench.call("rank", {"player": player}))
        above = sum(1 for t in totals.values() if t > totals[player])
        ties = sum(1 for t in totals.values() if t == totals[player]) - 1
        if rank is None or not above <= rank <= above + ties:
            wrong.append(f"{player}: {rank} (expected {above})")
    rank_why = (
        "rank (0 = best) right for every sampled player"
        if not wrong
        else "wrong rank " + "; ".join(wrong[:3])
    )
    return {"top-k": (top_ok, top_why), "rank": (not wrong, rank_why)}


JUDGE = Judge(
    "leaderboard",
    {"add": ("player", "points"), "top": ("k", "stop"), "rank": ("player",)},
    {
        "add": "adds points to the player's total",
        "top": "the k best players, best first (k = {k}, stop = k - 1)",
        "rank": "the player's 0-based rank, best = 0",
    },
    {"top-k": "top-K right after 600 random updates", "rank": "a player's rank right"},
    run,
)
