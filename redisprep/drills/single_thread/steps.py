"""The narrated steps of the single-thread drill: slow commands, measured from another client's side."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from redisprep.drills.check_helpers import variant
from redisprep.drills.context import DrillContext
from redisprep.drills.model import BarChart, CheckResult, DataTable, Scalar, Step, StepOutcome
from redisprep.drills.single_thread import checks
from redisprep.drills.single_thread import lab as lb
from redisprep.drills.single_thread import reference as ref
from redisprep.drills.single_thread.workload import Workload, workload

NAIVE = variant(ref, drop=ref.naive_drop)
LATENCY_DOC = "redis.io/docs/latest/operate/oss_and_stack/management/optimization/latency/"
MONITOR_DOC = "redis.io/docs/latest/operate/oss_and_stack/management/optimization/latency-monitor/"
EMBEDDED = (
    "the embedded fakeredis runs inside this process with no event loop for a slow command to "
    "block, so it cannot show this; `redisprep drill single-thread --url redis://HOST:PORT` does "
    "(it measures on a private redis-server it starts itself, never on the server at --url)"
)

LAZY_DEL = (
    "{label} frees DEL in the background by default (`lazyfree-lazy-user-del yes`, the default "
    "since Valkey 8.0), so there DEL costs what UNLINK does. The drill set it to `no` on its private "
    "server, the default of Redis, to show what DEL does where it is off: check "
    "`CONFIG GET lazyfree-lazy-user-del` on yours before relying on either."
)


def _unavailable(why: str) -> StepOutcome:
    return StepOutcome(narration=(why,), skipped="no private redis-server to start")


def _ms(value: float) -> float:
    return round(value, 2)


def _row(command: str, what: str, w: lb.Window) -> tuple[Scalar, ...]:
    return (command, what, _ms(w.command_ms), _ms(w.p50_ms), _ms(w.p99_ms))


def _check_row(command: str, what: str, result: CheckResult) -> tuple[Scalar, ...]:
    m = result.measured
    return (command, what, m["command_ms"], m["p50_ms"], m["p99_ms"])


def _slow_commands(
    ctx: DrillContext, size: Workload
) -> tuple[lb.Window, list[tuple[str, str, lb.Window]], str, bool]:
    """Idle, KEYS, the busy script and ZUNIONSTORE, each timed from another client; whether the
    server frees DEL in the background by default (:attr:`lb.Lab.lazy_del_default`)."""
    with lb.open_lab(ctx.breaker, size) as lab:
        lab.fill_strings(size.keys)
        lab.fill_members(("za", "zb"), size.zset_members, "ZADD")
        iterations = lab.busy_iterations(checks.SCRIPT_MS)
        idle = checks.baseline(lab)
        zsets = f"2 sorted sets of {size.zset_members:,}"
        runs: list[tuple[str, str, Callable[[Any], Any]]] = [
            ("KEYS", f"walks {size.keys:,} keys, matches none", lambda r: r.keys("absent:*")),
            ("EVAL", f"a Lua loop of {iterations:,} steps", lambda r: r.eval(lb.BUSY_SCRIPT, 0, iterations)),
            ("ZUNIONSTORE", zsets, lambda r: r.zunionstore("zu", ["za", "zb"])),
        ]
        windows = [(name, what, lab.window(name, run)) for name, what, run in runs]
        return idle, windows, lab.label, lab.lazy_del_default


def slow_commands(ctx: DrillContext) -> StepOutcome:
    if ctx.backend.is_simulated:
        return StepOutcome(narration=(), skipped=EMBEDDED)
    size = workload()
    try:
        idle, windows, label, lazy_del = _slow_commands(ctx, size)
        dropped = (checks.drop_keeps_gets_fast.run(ctx, NAIVE), checks.drop_keeps_gets_fast.run(ctx, ref))
    except lb.LabUnavailableError as exc:
        return _unavailable(str(exc))
    naive, unlink = dropped[0].expecting_failure(), dropped[1]
    members = f"{size.set_members:,}"
    rows = (
        ("(idle)", "nothing else running", 0.0, _ms(idle.p50_ms), _ms(idle.p99_ms)),
        _row(*windows[0]),
        _check_row("DEL", f"a set of {members} members", naive),
        _check_row("UNLINK", f"a set of {members} members", unlink),
        _row(*windows[1]),
        _row(*windows[2]),
    )
    bars = tuple((str(r[0]), float(r[4] or 0)) for r in rows)
    worst = max(windows, key=lambda w: w[2].p99_ms)
    return StepOutcome(
        narration=(
            f"This runs on a private {label} the drill started (never your server: it needs KEYS, "
            f"CONFIG SET and {size.keys:,} keys). One client sends a GET every "
            f"{lb.INTERVAL_S * 1000:g} ms and records each reply time in an HDR histogram; a GET held "
            "up by a stall also counts the GETs it kept from being sent (coordinated omission). "
            "Meanwhile another connection runs one slow command.",
            "Redis executes commands one at a time on its main thread, so while one runs, every "
            f"other client waits (redis.io latency page, {LATENCY_DOC}). In this run `{worst[0]}` "
            f"took {worst[2].command_ms:.0f} ms and everyone else's GET p99 went from "
            f"{idle.p99_ms:.2f} ms idle to {worst[2].p99_ms:.1f} ms (p50 {worst[2].p50_ms:.2f} ms). "
            f"Each window times GETs for {size.lead_s:g} s before the command and {size.tail_s:g} s "
            "after it: the p99 rises as soon as a stall covers 1% of the window, the p50 only when "
            "it covers half.",
            f"`DEL` of a {members}-member set frees every member on the main thread: "
            f"{naive.measured['command_ms']} ms. `UNLINK` only unlinks the key "
            f"({unlink.measured['command_ms']} ms) and a background thread frees the memory. "
            "`KEYS` is O(N) in the whole keyspace even when nothing matches: iterate with `SCAN`.",
            *((LAZY_DEL.format(label=label),) if lazy_del else ()),
            "The DEL and UNLINK rows come from their checks, each on its own server with its own "
            "idle baseline (the better of two tries, each on a set of its own); every other "
            "row is one window of this run. Figures vary between runs and machines: compare the "
            "rows, not the absolute numbers.",
        ),
        figures=(
            DataTable(
                "other clients' GETs during each command (ms)",
                ("command", "what it does", "command ms", "GET p50", "GET p99"),
                rows,
            ),
            BarChart("GET p99 while each command runs", bars, unit="ms"),
        ),
        checks=(naive, unlink),
    )


def server_logs(ctx: DrillContext) -> StepOutcome:
    if ctx.backend.is_simulated:
        return StepOutcome(narration=(), skipped="needs a real event loop, as the step above says")
    size = workload()
    try:
        with lb.open_lab(ctx.breaker, size) as lab:
            window, slowlog, latest = checks.readback(lab)
        recorded = checks.server_records_it.run(ctx, ref)
    except lb.LabUnavailableError as exc:
        return _unavailable(str(exc))
    slow_rows = tuple(
        (int(e["id"]), checks.command_text(e)[:48], round(int(e["duration"]) / 1000, 1)) for e in slowlog
    )
    latency_rows = tuple((str(r[0]), int(r[2]), int(r[3])) for r in latest)
    return StepOutcome(
        narration=(
            f"A new private server, `CONFIG SET latency-monitor-threshold {checks.LATENCY_THRESHOLD_MS}` "
            "(milliseconds; 0, the default, turns the monitor off) and `slowlog-log-slower-than "
            f"10000` (microseconds, the default), then a Lua loop calibrated for about "
            f"{checks.SCRIPT_MS:g} ms (its client waited {window.command_ms:.0f} ms).",
            "`SLOWLOG GET` lists commands whose execution took longer than the threshold, with "
            "their arguments and duration in microseconds; it excludes the time spent reading the "
            "request and writing the reply. `LATENCY LATEST` shows, per event class (`command` "
            "for slow commands, `fast-command` for O(1) ones, `fork`, `aof-fsync-always`, ...), "
            f"the latest and the highest latency in ms ({MONITOR_DOC}). Both are reads: on your "
            "own server `SLOWLOG GET` is safe, while the latency monitor must be switched on first.",
        ),
        figures=(
            DataTable("SLOWLOG GET 10", ("id", "command", "ms"), slow_rows),
            DataTable("LATENCY LATEST", ("event", "latest ms", "max ms"), latency_rows),
        ),
        checks=(recorded,),
    )


def io_threads(ctx: DrillContext) -> StepOutcome:
    return StepOutcome(
        narration=(
            "What io-threads change (redis.conf, section THREADED I/O, Redis 6.0 to 7.x): with "
            "`io-threads 4`, extra threads do the `write(2)` of replies to sockets, and with "
            "`io-threads-do-reads yes` also the reading and parsing of requests. Commands still "
            "execute one at a time on the main thread, so they help a server whose CPU goes to "
            "network I/O for many clients, not one with a slow command: I/O threads never run a "
            "command, so a slow one stalls every client whatever `io-threads` says.",
            "Threading is off by default (`io-threads 1`); redis.conf suggests it only on machines "
            "with at least 4 cores, keeping one spare, and it cannot be changed with CONFIG SET. "
            "Other work already off the main thread: `UNLINK`, `FLUSHALL ASYNC` and lazy freeing "
            "(background threads), AOF fsync, and RDB or AOF rewrites in a forked child (the fork "
            "itself happens on the main thread).",
            "To scale commands themselves, shard (Redis Cluster) or send slow reads to a replica; "
            "to keep latency low, keep every command's N small (`SCAN` instead of `KEYS`, "
            "`UNLINK` instead of `DEL` for big values, bounded scripts).",
        ),
    )


def unlink_here(ctx: DrillContext) -> StepOutcome:
    key = ctx.key("single-thread", "tags")
    with ctx.tracer.operation("fill a set"):
        ctx.r.sadd(key, *(f"tag:{i}" for i in range(1_000)))
    members = int(ctx.r.scard(key))
    with ctx.tracer.operation("drop it"):
        removed = ref.drop(ctx.r, key)
    return StepOutcome(
        narration=(
            f"On the server this run uses, inside its namespace: a set of {members:,} members, then "
            f"`UNLINK` answers {removed}, the number of keys removed, exactly as `DEL` would. "
            "Replacing `DEL` with `UNLINK` changes no reply, only where the memory is freed; for a "
            "small value both cost the same, so `UNLINK` is the safe default for keys that may grow.",
        ),
    )


STEPS = (
    Step("Everyone else's GETs while a slow command runs", slow_commands),
    Step("What SLOWLOG and LATENCY recorded", server_logs),
    Step("What io-threads do and do not parallelise", io_threads),
    Step("UNLINK on the server at hand", unlink_here),
)
