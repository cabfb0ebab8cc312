"""The data-model judges, by name: each runs the candidate's design and checks its outcomes."""

from __future__ import annotations

from redisprep.interview.judges import cache, leaderboard, ledger, limiter, proximity, reservation
from redisprep.interview.judges._common import Judge, Outcomes

JUDGES: dict[str, Judge] = {
    j.name: j
    for j in (leaderboard.JUDGE, limiter.JUDGE, reservation.JUDGE, cache.JUDGE, proximity.JUDGE, ledger.JUDGE)
}

__all__ = ["JUDGES", "Judge", "Outcomes"]
