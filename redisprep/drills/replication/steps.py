"""The narrated steps of the replication drill: every server it fails over is one it started itself."""

from __future__ import annotations

import functools
from collections.abc import Callable

from redisprep.drills import check_helpers
from redisprep.drills.context import DrillContext
from redisprep.drills.model import CheckResult, DataTable, Scalar, Step, StepOutcome
from redisprep.drills.replication import checks, cluster_failover, fleet, sentinel, trials
from redisprep.drills.replication import reference as ref
from redisprep.errors import BackendUnsupportedError

NAIVE = check_helpers.variant(ref, write=ref.naive_write)
LATENCY_WRITES = 200
SERVERS = "the `redis-server` on PATH, or `$REDISPREP_SERVER`"
WAIT_URL = "https://redis.io/docs/latest/commands/wait/"
REPLICATION_URL = "https://redis.io/docs/latest/operate/oss_and_stack/management/replication/"
SENTINEL_URL = "https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/"
CLUSTER_SPEC_URL = "https://redis.io/docs/latest/operate/oss_and_stack/reference/cluster-spec/"
EMBEDDED = (
    "the embedded fakeredis cannot replicate or fail over, so this drill does not run here; "
    "`redisprep drill replication --url redis://HOST:PORT` does (it fails over private servers it "
    f"starts itself from {SERVERS}, never the server at --url)"
)


def _where(ctx: DrillContext) -> str:
    """One line: whose servers this drill fails over (never the backend's)."""
    return (
        f"This drill never touches {ctx.backend.label}: it fails over only private servers it starts "
        f"itself ({SERVERS}) on loopback, and kills them by PID when it ends."
    )


def _m(result: CheckResult, name: str) -> Scalar:
    return result.measured.get(name)


def _row(label: str, replica: str, r: CheckResult) -> tuple[Scalar, ...]:
    return (label, replica, _m(r, "writes"), _m(r, "acknowledged"), _m(r, "lost_acknowledged"), _m(r, "kept"))


COLUMNS = ("write", "replica", "writes", "reported acknowledged", "acknowledged lost", "on the new primary")


def asynchronous(ctx: DrillContext) -> StepOutcome:
    where = _where(ctx)
    exactly = checks.held_back_loses_exactly.run(ctx, NAIVE)
    trusting = checks.acked_survive_failover.run(ctx, NAIVE).expecting_failure()
    return StepOutcome(
        narration=(
            where,
            "A primary answers a write as soon as it has applied it in memory; it streams the write to "
            "its replicas afterwards (asynchronous replication, " + REPLICATION_URL + "). Whatever a "
            "replica has not received when the primary dies is gone once that replica is promoted.",
            f"To make that window deterministic the drill holds the replica back: it pauses it "
            f"(SIGSTOP) and the primary drops the replication link (`CLIENT KILL TYPE replica`). "
            f"Pausing alone is not enough on loopback: the kernel keeps accepting the stream into the "
            f"paused replica's socket buffer, and the replica applies it once continued. Then "
            f"{checks.HELD_BACK_WRITES} `SET`s, each answered OK; the primary is killed with SIGKILL; "
            f"the replica is continued and promoted with `REPLICAOF NO ONE`.",
            f"Result: {exactly.message}. A client that trusted OK counted all {_m(trusting, 'acknowledged')} "
            f"writes as done and lost {_m(trusting, 'lost_acknowledged')} of them.",
        ),
        figures=(DataTable("Held-back replica, no WAIT", COLUMNS, (_row("SET", "held back", trusting),)),),
        checks=(exactly, trusting),
    )


def wait(ctx: DrillContext) -> StepOutcome:
    held = checks.acked_survive_failover.run(ctx, ref)
    running = checks.wait_confirms_replicated.run(ctx, ref)
    ms = trials.write_latency({"SET": NAIVE, "SET + WAIT": ref}, LATENCY_WRITES, prefix=ctx.key("repl"))
    wait_cmd = f"WAIT {ref.WAIT_REPLICAS} {ref.WAIT_TIMEOUT_MS}"
    return StepOutcome(
        narration=(
            f"`{wait_cmd}` after the `SET`, in the same pipeline, blocks this client until one replica "
            f"acknowledged every write the connection made, or {ref.WAIT_TIMEOUT_MS} ms passed, and "
            f"replies how many replicas did ({WAIT_URL}). The write counts as acknowledged only when "
            "that reply is 1 or more.",
            f"Replica held back: {held.message}. Every WAIT timed out and replied 0, so the client knew "
            f"none of them was safe, yet the primary had applied {_m(held, 'on_primary')} of them: a "
            "WAIT that times out does not roll the write back, and other clients could read it until "
            "the failover made it vanish.",
            f"Replica running: {running.message}. The price is a round trip to the replica on every "
            f"write: median {ms['SET']:.3f} ms for `SET` alone against {ms['SET + WAIT']:.3f} ms with "
            f"`{wait_cmd}` here on loopback ({LATENCY_WRITES} writes each); across machines add the "
            f"network round trip, and a held-back replica costs the full {ref.WAIT_TIMEOUT_MS} ms.",
            "WAIT is still not strong consistency (redis.io says so on the WAIT page): a failover may "
            "promote a replica that did not get the write while another one did (Sentinel and Cluster "
            "pick the best replica they can reach, which is likely but not certain to have it); the "
            "replica acknowledged receiving the write, not writing it to disk (`WAITAOF`, Redis 7.2+, "
            "waits for the fsync); and a timed-out write stays visible on the primary.",
        ),
        figures=(
            DataTable(
                f"With {wait_cmd}",
                COLUMNS,
                (_row("SET + WAIT", "held back", held), _row("SET + WAIT", "running", running)),
            ),
        ),
        checks=(held, running),
    )


def sentinel_failover(ctx: DrillContext) -> StepOutcome:
    result = checks.sentinel_promotes.run(ctx, ref)
    return StepOutcome(
        narration=(
            f"Automatic failover: {sentinel.SENTINELS} sentinels (the same server binary with "
            f"`--sentinel` and a generated `sentinel.conf`: `sentinel monitor`, quorum "
            f"{sentinel.QUORUM}, `down-after-milliseconds` {sentinel.DOWN_AFTER_MS}) watch the "
            f"primary and its replica ({SENTINEL_URL}). The client is redis-py's "
            "`Sentinel(...).master_for(...)`, which asks a sentinel for the primary's address on every "
            f"new connection. It writes {checks.SENTINEL_WRITES} keys with `WAIT`, then the "
            "primary is killed with SIGKILL and the client retries every 10 ms.",
            f"Result: {result.message} ({_m(result, 'errors')}). Connection errors come first: the "
            "dead primary refuses connections while the sentinels still name it. Once they mark it "
            f"down (subjectively after {sentinel.DOWN_AFTER_MS} ms, objectively when "
            f"{sentinel.QUORUM} agree) redis-py refuses a primary flagged down and raises "
            "`MasterNotFoundError`, until a sentinel elected leader promotes the replica "
            "(`REPLICAOF NO ONE`) and announces it; the next connection goes there.",
            "The outage is detection (`down-after-milliseconds`) plus the leader election and the "
            "promotion; the loss is whatever the promoted replica had not received, as above. A "
            "partitioned old primary that comes back is turned into a replica of the new one and "
            "discards what it accepted meanwhile; `min-replicas-to-write` bounds that by refusing "
            "writes when no replica is acknowledging.",
        ),
        figures=(
            DataTable(
                "What the client saw",
                (
                    "acknowledged before the kill",
                    "lost",
                    "seconds until a write succeeded",
                    "failed attempts",
                    "errors",
                ),
                (
                    (
                        _m(result, "acknowledged"),
                        _m(result, "lost_acknowledged"),
                        _m(result, "outage_s"),
                        _m(result, "failed_attempts"),
                        _m(result, "errors"),
                    ),
                ),
            ),
        ),
        checks=(result,),
    )


def cluster(ctx: DrillContext) -> StepOutcome:
    result = checks.cluster_promotes.run(ctx, ref)
    timeout_ms = cluster_failover.NODE_TIMEOUT_MS
    return StepOutcome(
        narration=(
            f"The same kill in a Redis Cluster: {cluster_failover.MASTERS} primaries with one replica each "
            f"(`redis-cli --cluster create ... --cluster-replicas 1`, `cluster-node-timeout` {timeout_ms}), "
            f"all private. redis-py's `RedisCluster` writes {checks.CLUSTER_WRITES} keys with one hash "
            "tag, so one slot; that slot's primary is killed with SIGKILL and the client retries every "
            "10 ms.",
            f"Result: {result.message} ({_m(result, 'errors')}). There is no Sentinel: the other "
            f"primaries flag the dead one as failing after the node timeout ({timeout_ms} ms) and, once "
            "a majority agree, its replica waits 500 ms plus up to 500 ms at random plus 1 s per "
            "better-placed replica, asks the primaries for votes and takes over the slots "
            f"({CLUSTER_SPEC_URL}). Until then every node's slot map still names the dead primary, so "
            "the client sees connection errors, not `MOVED`; after an error it asks for a slot-map "
            "reload, run at most once per refresh interval rather than once per error, and the first "
            "reload after the promotion sends the write to the new primary.",
            "Lost writes follow the same rule as above: replication inside a cluster is asynchronous, "
            "so whatever the replica had not received when its primary died is gone; `WAIT` narrows "
            "it the same way.",
        ),
        figures=(
            DataTable(
                "What RedisCluster saw",
                (
                    "acknowledged before the kill",
                    "lost",
                    "seconds until a write succeeded",
                    "failed attempts",
                    "slot-map reloads",
                ),
                (
                    (
                        _m(result, "acknowledged"),
                        _m(result, "lost_acknowledged"),
                        _m(result, "outage_s"),
                        _m(result, "failed_attempts"),
                        _m(result, "slot_map_reloads"),
                    ),
                ),
            ),
        ),
        checks=(result,),
    )


def _needs_servers(
    run: Callable[[DrillContext], StepOutcome], *, first: bool = False
) -> Callable[[DrillContext], StepOutcome]:
    """``run``, skipped in one line on the embedded default (``drill all`` there stays quick and starts
    no server), and with the reason when no server binary is installed: ``drill all --url`` against a
    remote server still runs the other drills."""

    @functools.wraps(run)
    def step(ctx: DrillContext) -> StepOutcome:
        if ctx.backend.is_simulated:
            return StepOutcome(
                narration=(), skipped=EMBEDDED if first else "needs private servers, as step 1 says"
            )
        try:
            fleet.binary()
        except BackendUnsupportedError as exc:
            return StepOutcome(narration=(), skipped=str(exc))
        return run(ctx)

    return step


STEPS = (
    Step("Asynchronous replication: OK before the replica has it", _needs_servers(asynchronous, first=True)),
    Step("WAIT: knowing which writes a replica has", _needs_servers(wait)),
    Step("Sentinel: automatic failover, seen by the client", _needs_servers(sentinel_failover)),
    Step("Cluster: a replica takes over its primary's slots", _needs_servers(cluster)),
)
