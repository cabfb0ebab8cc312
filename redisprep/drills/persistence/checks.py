"""Checks of the persistence drill: what ``kill -9`` and a restart keep under each policy.

Each check runs one trial (:func:`redisprep.drills.persistence.crash.kill_trial`) on a private
server, killed at a moment drawn from the drill's seeded RNG, and compares the writes the restart
found with what the server itself reported just before the kill.
"""

from __future__ import annotations

from typing import Any

from redisprep.drills.check_helpers import Verdict, check, verdict
from redisprep.drills.context import DrillContext
from redisprep.drills.model import Check, Scalar
from redisprep.drills.persistence.crash import BY_NAME, KillTrial, Policy, kill_trial

KILL_AFTER_S = (0.25, 0.6)
"""The kill lands after a random time in this window (seconds of writing)."""
RDB_KILL_AFTER_S = (2.1, 2.6)
"""RDB's window: after its first snapshot. ``save 1 1`` fires once the clock's whole seconds
since the last save exceed 1, between 1 and 2 s after the server starts."""


def trial(ctx: DrillContext, impl: Any, policy: Policy) -> KillTrial:
    """One seeded trial of ``policy`` with ``impl.write`` as the acknowledged write."""
    window = RDB_KILL_AFTER_S if policy.kind == "rdb" else KILL_AFTER_S
    after = ctx.fork_rng(f"kill {policy.name}").uniform(*window)
    return kill_trial(policy, after, impl.write, stop_check=ctx.breaker.check)


def figures(t: KillTrial) -> dict[str, Scalar]:
    """What a trial measured, for ``--json`` and the step's tables."""
    return {
        "policy": t.policy.name,
        "server": t.server,
        "acknowledged": t.acknowledged,
        "restored": t.restored,
        "lost": t.lost,
        "seconds": round(t.seconds, 3),
        "ops_per_s": round(t.ops_per_s),
        **t.before,
    }


@check("persistence.none_loses_all", "no persistence: a kill loses every write")
def none_loses_all(ctx: DrillContext, impl: Any) -> Verdict:
    t = trial(ctx, impl, BY_NAME["none"])
    return verdict(
        t.restored == 0 and t.lost == t.acknowledged,
        f"{t.lost} of {t.acknowledged} acknowledged writes lost: nothing was on disk",
        pitfall="the server wrote files although persistence was off: check dir, save and appendonly",
        **figures(t),
    )


@check("persistence.rdb_loses_since_snapshot", "RDB: a kill loses the writes after the last snapshot")
def rdb_loses_since_snapshot(ctx: DrillContext, impl: Any) -> Verdict:
    t = trial(ctx, impl, BY_NAME["rdb"])
    saves = t.before.get("rdb_saves", "-")
    return verdict(
        t.lost == t.unsaved,
        f"{t.lost} of {t.acknowledged} acknowledged writes lost; the server reported "
        f"rdb_changes_since_last_save={t.unsaved} just before the kill (snapshots taken: {saves})",
        pitfall="counting on RDB snapshots for every write: all writes after the last completed "
        "snapshot are lost",
        **figures(t),
    )


def _aof_keeps(policy: Policy) -> Check:
    fsync = policy.name.removeprefix("aof-")

    @check(f"persistence.aof_{fsync}_keeps_all", f"AOF appendfsync {fsync}: a process kill loses nothing")
    def keeps(ctx: DrillContext, impl: Any) -> Verdict:
        t = trial(ctx, impl, policy)
        return verdict(
            t.lost == 0,
            f"{t.restored} of {t.acknowledged} acknowledged writes kept after kill -9 "
            f"({t.ops_per_s:,.0f} writes/s)",
            pitfall="the AOF was not written before the reply, or the restart did not read it "
            "(appendonly, dir)",
            **figures(t),
        )

    return keeps


aof_always_keeps_all = _aof_keeps(BY_NAME["aof-always"])
aof_no_keeps_all = _aof_keeps(BY_NAME["aof-no"])


@check(
    "persistence.aof_everysec_loses_only_buffered",
    "AOF appendfsync everysec: a process kill loses only what Redis still held (aof_buffer_length)",
)
def aof_everysec_loses_only_buffered(ctx: DrillContext, impl: Any) -> Verdict:
    t = trial(ctx, impl, BY_NAME["aof-everysec"])
    held = (
        f"Redis still held {t.buffered} in its AOF buffer (aof_buffer_length="
        f"{t.before.get('aof_buffer_length')}) behind a running fsync"
        if t.buffered
        else "nothing was waiting in Redis's AOF buffer"
    )
    return verdict(
        t.lost <= t.buffered,
        f"{t.lost} of {t.acknowledged} acknowledged writes lost after kill -9; {held} "
        f"({t.ops_per_s:,.0f} writes/s)",
        pitfall="the AOF was not written before the reply, or the restart did not read it (appendonly, dir)",
        buffered=t.buffered,
        **figures(t),
    )


CHECKS = (
    none_loses_all,
    rdb_loses_since_snapshot,
    aof_always_keeps_all,
    aof_everysec_loses_only_buffered,
    aof_no_keeps_all,
)
