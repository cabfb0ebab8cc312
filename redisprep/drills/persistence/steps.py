"""The narrated steps of the persistence drill: kills under five policies, then restart times."""

from __future__ import annotations

from redisprep.drills.context import DrillContext
from redisprep.drills.model import CheckResult, DataTable, Scalar, Step, StepOutcome
from redisprep.drills.persistence import checks, restart
from redisprep.drills.persistence import reference as writes
from redisprep.drills.persistence.crash import BEFORE_KILL, BY_NAME, SAVE_EVERY_S
from redisprep.localserver import ServerBinaryMissingError, find_binary

EMBEDDED_CANNOT = (
    "the embedded fakeredis has no persistence (no RDB, no AOF, no restart), so it cannot show "
    "this: install redis-server and run 'redisprep drill persistence --url redis://localhost:6379' "
    "(it starts its own private redis-servers, and never configures or kills yours)"
)
NEEDS_SERVERS = "needs private redis-servers, which the embedded backend does not start (see step 1)"
SIZES = (10_000, 100_000)
"""Keys loaded before each timed restart (``scripts/bench_persistence.py`` goes to a million)."""


def _binary() -> tuple[str, str | None]:
    """The redis-server the drill starts, or why there is none (the step is then skipped, so that
    ``drill all --url`` against a remote server still runs the other drills)."""
    try:
        return find_binary(), None
    except ServerBinaryMissingError as exc:
        return "", f"the persistence drill starts its own redis-server on this machine: {exc}"


def acknowledged(ctx: DrillContext) -> StepOutcome:
    key = ctx.key("persistence", "seq")
    seqs = []
    for _ in range(3):
        with ctx.tracer.operation("acknowledged write"):
            seqs.append(writes.write(ctx.r, key))
    said: tuple[str, ...] = (
        f"`INCR` answers the new count, so each reply is the sequence number of an acknowledged "
        f"write ({', '.join(map(str, seqs))} here): the highest one tells how many writes the "
        "server confirmed. Whether they survive a crash depends on its persistence settings.",
    )
    if ctx.backend.kind == "embedded":
        return StepOutcome(narration=said, skipped=EMBEDDED_CANNOT)
    if ctx.backend.kind == "live":
        said += (_yours(ctx),)
    return StepOutcome(narration=said)


def _yours(ctx: DrillContext) -> str:
    """What ``INFO persistence`` says about the user's server (read only)."""
    info = ctx.r.info("persistence")
    unsaved = info.get("rdb_changes_since_last_save", "?")
    if int(info.get("aof_enabled", 0)):
        fate = (
            "AOF is on, so a `kill -9` of its process would lose no acknowledged write; a power "
            "loss would lose what its `appendfsync` policy had not yet forced to disk"
        )
    else:
        fate = (
            f"AOF is off, so a `kill -9` of its process now would lose the {unsaved} changes since "
            "its last RDB snapshot or its start (`rdb_changes_since_last_save`)"
        )
    return (
        f"Your server ({ctx.backend.label}) says in `INFO persistence`: {fate}. Snapshot status "
        f"{info.get('rdb_last_bgsave_status', '?')}, AOF write status "
        f"{info.get('aof_last_write_status', '?')}."
    )


def kills(ctx: DrillContext) -> StepOutcome:
    if ctx.backend.kind == "embedded":
        return StepOutcome(narration=(), skipped=NEEDS_SERVERS)
    binary, missing = _binary()
    if missing is not None:
        return StepOutcome(narration=(), skipped=missing)
    results = tuple(c.run(ctx, writes) for c in checks.CHECKS)
    by = {str(r.measured["policy"]): r for r in results}
    release = results[0].measured.get("server", "")
    return StepOutcome(
        narration=(
            "Your server got only the three `INCR`s above (on the run's own key, removed at the "
            "end) and an `INFO`: `kill -9`, `CONFIG SET` and "
            f"restarts happen only on private servers this drill starts ({release}, {binary}) on "
            "loopback, one per policy, each killed by its PID and its folder removed.",
            "Each server takes `INCR` one round trip at a time (a reply is the sequence number of "
            f"an acknowledged write) until a moment drawn from seed {ctx.seed} "
            f"({_window(checks.KILL_AFTER_S)}; for RDB {_window(checks.RDB_KILL_AFTER_S)}, after "
            "its first snapshot), then gets `kill -9`, "
            "starts again on the same folder, and the counter is read back. Before the kill no new "
            'snapshot may start (`CONFIG SET save ""`) and one already running finishes, as the '
            "fork child of a killed server would finish it anyway.",
            _summary(by),
            "Why even `appendfsync no` keeps acknowledged writes: Redis `write()`s its AOF buffer "
            "to the kernel before it sends the replies, so after a killed *process* the data is "
            "in the page cache and reaches the disk anyway. One exception: with `everysec`, while "
            "the previous second's background fsync is still running, Redis holds the buffer back "
            "(up to 2 s, then writes and counts `aof_delayed_fsync`) and replies all the same; a "
            "kill in that window loses what `aof_buffer_length` counts. A slow or busy disk makes "
            "the window wide.",
            "`appendfsync` itself decides when `fsync()` forces the data onto the disk, which "
            "matters when the *machine* goes down (power loss, kernel panic): `always` loses no "
            "acknowledged write, `everysec` about a second of writes (two when the disk lags), "
            "`no` whatever the kernel had not flushed yet (about 30 s on a default Linux). A "
            "process kill cannot show that and this drill does not pretend to; below is what each "
            "server reported about its AOF buffer and fsyncs just before the kill.",
        ),
        figures=(_lost_table(results), _info_table(results)),
        checks=results,
    )


def _window(window: tuple[float, float]) -> str:
    return f"{window[0]:g}-{window[1]:g} s of writes"


def _summary(by: dict[str, CheckResult]) -> str:
    def m(policy: str, field: str) -> Scalar:
        return by[policy].measured.get(field)

    def rate(policy: str) -> str:
        return f"{int(m(policy, 'ops_per_s') or 0):,}"

    buffered = m("aof-everysec", "buffered")
    held = f" (at the kill it still held {buffered} writes in its AOF buffer)" if buffered else ""

    return (
        f"No persistence lost all {m('none', 'acknowledged')} acknowledged writes. RDB "
        f"(`save {SAVE_EVERY_S} 1`) lost {m('rdb', 'lost')} of {m('rdb', 'acknowledged')}: the "
        f"writes after its last completed snapshot, as `rdb_changes_since_last_save` "
        f"({m('rdb', 'rdb_changes_since_last_save')}) said. The AOF lost {m('aof-always', 'lost')} "
        f"with `always`, {m('aof-no', 'lost')} with `no` and {m('aof-everysec', 'lost')} with "
        f"`everysec`{held}. What "
        f"`appendfsync always` paid: {rate('aof-always')} writes/s, against {rate('aof-everysec')} "
        f"with `everysec`, {rate('aof-no')} with `no` and {rate('none')} without persistence "
        "(one client, one write per round trip, one fsync per write with `always`)."
    )


def _lost_table(results: tuple[CheckResult, ...]) -> DataTable:
    rows = tuple(
        (
            BY_NAME[str(r.measured["policy"])].shown,
            r.measured["acknowledged"],
            r.measured["restored"],
            r.measured["lost"],
            r.measured["ops_per_s"],
        )
        for r in results
    )
    return DataTable(
        "one kill -9 per policy", ("policy", "acknowledged", "after restart", "lost", "writes/s"), rows
    )


def _info_table(results: tuple[CheckResult, ...]) -> DataTable:
    """One row per field, one column per policy (``-``: the server does not report it)."""
    columns = tuple(str(r.measured["policy"]).removeprefix("aof-") for r in results)
    rows = tuple((f, *(r.measured.get(f, "-") for r in results)) for f in BEFORE_KILL)
    return DataTable("INFO persistence just before the kill", ("field", *columns), rows)


def restarts(ctx: DrillContext) -> StepOutcome:
    if ctx.backend.kind == "embedded":
        return StepOutcome(narration=(), skipped=NEEDS_SERVERS)
    _, missing = _binary()
    if missing is not None:
        return StepOutcome(narration=(), skipped=missing)
    timed = [restart.restart_time(fmt, keys) for keys in SIZES for fmt in restart.FORMATS]
    rows = tuple(
        (
            t.format,
            f"{t.keys:,}",
            f"{t.file_bytes / 1e6:.1f}",
            "-" if t.load_s is None else f"{t.load_s:.3f}",
            f"{t.wall_s:.3f}",
        )
        for t in timed
    )
    by = {(t.format, t.keys): t for t in timed}
    big = SIZES[-1]
    rdb, aof = by[("RDB", big)], by[("AOF", big)]
    return StepOutcome(
        narration=(
            "A restarted server reads its whole file before it serves anyone (it answers "
            "`-LOADING` until then). An RDB file is a compact snapshot of the data; an AOF is the "
            "log of every write, replayed command by command.",
            f"With {big:,} keys of {restart.VALUE_BYTES} bytes, the AOF was "
            f"{aof.file_bytes / max(rdb.file_bytes, 1):.1f}x the RDB file and its restart took "
            f"{aof.wall_s:.2f} s against {rdb.wall_s:.2f} s. Load time grows with the data: "
            "multiply by the size of your dataset. Automatic AOF rewrites were off here; a rewrite "
            "(with `aof-use-rdb-preamble yes`, the default since 4.0) starts the AOF with an RDB "
            "snapshot, so only the writes after it are replayed.",
        ),
        figures=(
            DataTable(
                "restart time against data size",
                ("file", "keys", "file MB", "load s (server log)", "to first PONG s"),
                rows,
            ),
        ),
    )


STEPS = (
    Step("The acknowledged write, and your server's settings", acknowledged),
    Step("kill -9 under five persistence policies", kills),
    Step("Restart time: RDB load against AOF replay", restarts),
)
