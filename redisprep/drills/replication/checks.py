"""Checks of the replication drill; each fails over private servers while an implementation writes."""

from __future__ import annotations

from typing import Any

from redisprep.drills.check_helpers import Verdict, check, verdict
from redisprep.drills.context import DrillContext
from redisprep.drills.replication import trials
from redisprep.drills.replication.cluster_failover import cluster_failover
from redisprep.drills.replication.sentinel import sentinel_failover

HELD_BACK_WRITES = 10
"""Writes sent while the replica is held back (the reference's WAIT times out on each: 50 ms)."""
RUNNING_WRITES = 50
"""Writes sent with the replica running, right before the primary is killed."""
SENTINEL_WRITES = 20
CLUSTER_WRITES = 20


def _prefix(ctx: DrillContext) -> str:
    return ctx.key("repl")  # key names only: these keys live on the trial's own servers


@check(
    "replication.held_back_loses_exactly", "a promoted held-back replica lacks exactly what it never received"
)
def held_back_loses_exactly(ctx: DrillContext, impl: Any) -> Verdict:
    """Hold the replica back, write, kill -9 the primary, promote: the writes after the hold-back are gone."""
    t = trials.failover(impl, HELD_BACK_WRITES, hold_back=True, prefix=_prefix(ctx), tracer=ctx.tracer)
    passed = t.missing_are_the_held_back and t.on_primary == t.writes
    return verdict(
        passed,
        f"the primary had applied {t.on_primary} of {t.writes} writes when it was killed; the promoted "
        f"replica has {t.before_kept} of the {trials.BEFORE} writes from before the hold-back and "
        f"{t.kept} of the {t.writes} after it",
        pitfall=None
        if t.on_primary == t.writes
        else "write did not store the value on the primary: it must SET the key",
        writes=t.writes,
        on_primary=t.on_primary,
        kept=t.kept,
        lost=t.lost,
        acknowledged=t.acknowledged,
        lost_acknowledged=t.lost_acknowledged,
        before_kept=t.before_kept,
        write_ms=round(t.write_ms, 3),
    )


@check(
    "replication.acked_survive_failover",
    "no write reported acknowledged is lost when the replica is promoted",
)
def acked_survive_failover(ctx: DrillContext, impl: Any) -> Verdict:
    """With the replica held back, every write ``write`` called acknowledged must survive its promotion."""
    t = trials.failover(impl, HELD_BACK_WRITES, hold_back=True, prefix=_prefix(ctx), tracer=ctx.tracer)
    stored = t.on_primary == t.writes
    return verdict(
        stored and t.lost_acknowledged == 0,
        f"{t.acknowledged} of {t.writes} writes reported acknowledged, {t.lost_acknowledged} of them lost "
        f"in the failover; the new primary lacks {t.lost} writes the old one had applied and answered OK to",
        pitfall="trusting the primary's OK: it answers before any replica has the write; send WAIT 1 <ms> "
        "and count the write only when WAIT replies 1 or more"
        if stored
        else "write did not store the value on the primary: it must SET the key",
        writes=t.writes,
        acknowledged=t.acknowledged,
        lost_acknowledged=t.lost_acknowledged,
        on_primary=t.on_primary,
        kept=t.kept,
        lost=t.lost,
        write_ms=round(t.write_ms, 3),
    )


@check(
    "replication.wait_confirms_replicated", "with the replica running, every write is confirmed and survives"
)
def wait_confirms_replicated(ctx: DrillContext, impl: Any) -> Verdict:
    """A healthy replica: writes are reported acknowledged, and a failover right after keeps every one."""
    t = trials.failover(impl, RUNNING_WRITES, hold_back=False, prefix=_prefix(ctx), tracer=ctx.tracer)
    # Not every write must be confirmed: on a loaded machine a healthy replica can miss WAIT's 50 ms.
    return verdict(
        t.acknowledged > 0 and t.lost_acknowledged == 0,
        f"{t.acknowledged} of {t.writes} writes reported acknowledged with the replica running; "
        f"{t.lost_acknowledged} of them lost when the primary was killed right after the last one",
        pitfall="a write that never reports success: compare WAIT's reply (replicas reached) with the "
        "number asked for, with a timeout a healthy replica can meet"
        if t.acknowledged == 0
        else "a write reported acknowledged before a replica had it",
        writes=t.writes,
        acknowledged=t.acknowledged,
        lost_acknowledged=t.lost_acknowledged,
        kept=t.kept,
        write_ms=round(t.write_ms, 3),
        promote_ms=round(t.promote_ms, 1),
    )


@check("replication.sentinel_promotes", "Sentinel promotes the replica and writes resume through it")
def sentinel_promotes(ctx: DrillContext, impl: Any) -> Verdict:
    """Three sentinels, the primary killed: a client asking Sentinel writes again, to the former replica."""
    t = sentinel_failover(impl, SENTINEL_WRITES, prefix=_prefix(ctx), tracer=ctx.tracer)
    return verdict(
        t.promoted_replica and t.lost_acknowledged == 0,
        f"Sentinel named the former replica {t.new_primary} as the primary; a write succeeded "
        f"{t.outage.seconds:.2f} s after the kill, after {t.outage.attempts} failed attempts; "
        f"{t.lost_acknowledged} of {t.acknowledged} acknowledged writes lost",
        pitfall="a write reported acknowledged before a replica had it"
        if t.promoted_replica
        else "Sentinel did not promote the replica",
        acknowledged=t.acknowledged,
        lost_acknowledged=t.lost_acknowledged,
        outage_s=round(t.outage.seconds, 3),
        failed_attempts=t.outage.attempts,
        errors=t.outage.described(),
        first_error=t.outage.first_error,
        promoted_replica=t.promoted_replica,
    )


@check("replication.cluster_promotes", "a cluster replica takes over its primary's slots and writes resume")
def cluster_promotes(ctx: DrillContext, impl: Any) -> Verdict:
    """3 primaries + 1 replica each; the slot's primary killed: RedisCluster writes again, to the replica.

    The writes are plain SETs through redis-py's cluster client (``impl`` is not used: WAIT counts
    one connection's writes, and the cluster client spreads commands over a pool per node).
    """
    t = cluster_failover(CLUSTER_WRITES, prefix=_prefix(ctx))
    return verdict(  # plain SETs: losing some is asynchronous replication, not a failed failover
        t.promoted_replica,
        f"the killed primary's replica now serves the slot; a write succeeded {t.outage.seconds:.2f} s after "
        f"the kill, after {t.outage.attempts} failed attempts and {t.slot_map_reloads} slot-map "
        f"reloads; {t.lost_acknowledged} of {t.acknowledged} acknowledged writes lost",
        pitfall="the cluster did not promote the replica",
        acknowledged=t.acknowledged,
        lost_acknowledged=t.lost_acknowledged,
        outage_s=round(t.outage.seconds, 3),
        failed_attempts=t.outage.attempts,
        slot_map_reloads=t.slot_map_reloads,
        errors=t.outage.described(),
        promoted_replica=t.promoted_replica,
    )


CHECKS = (
    held_back_loses_exactly,
    acked_survive_failover,
    wait_confirms_replicated,
    sentinel_promotes,
    cluster_promotes,
)
