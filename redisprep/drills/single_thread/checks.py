"""Checks of the single-thread drill: what a slow command does to everyone else's GETs, measured."""

from __future__ import annotations

import functools
from typing import Any

from redisprep.drills.check_helpers import Verdict, check, verdict
from redisprep.drills.context import DrillContext
from redisprep.drills.single_thread import lab as lb
from redisprep.drills.single_thread.workload import workload

#: A window's p99 counts as a stall when it exceeds FACTOR times the idle p99 and also FLOOR_MS
#: (so that on a busy machine a scheduler hiccup in an idle window does not pass for a stall).
FACTOR = 5.0
FLOOR_MS = 20.0
#: How long the busy script should hold the main thread. Calibrated under load it ran as little as
#: 68-104 ms for a 200 ms target (a calibration slowed by other processes), close to the latency
#: monitor's 50 ms: 300 keeps it clear.
SCRIPT_MS = 300.0
#: The latency monitor's threshold (ms) on the private server.
LATENCY_THRESHOLD_MS = 50


def stall_limit(idle: lb.Window) -> float:
    """The p99 (ms) above which a window counts as stalled, given the idle window of the same run."""
    return max(FACTOR * idle.p99_ms, FLOOR_MS)


def baseline(lab: lb.Lab) -> lb.Window:
    """The quieter of two idle windows: one scheduler hiccup on a busy machine does not set the bar."""
    first, second = lab.window("idle", None), lab.window("idle", None)
    return first if first.p99_ms <= second.p99_ms else second


def _drop(impl: Any, key: str, r: Any) -> Any:
    return impl.drop(r, key)


def measure_drop(ctx: DrillContext, impl: Any) -> tuple[lb.Window, lb.Window, int]:
    """The idle window, and the better of two windows in which ``impl.drop`` removed a big set.

    Two tries, each on a set of its own, so that one scheduler hiccup on a busy machine cannot
    pass for a stall; a drop that really stalls the server stalls both.
    """
    with lb.open_lab(ctx.breaker, workload()) as lab:
        lab.fill_members(("big:1", "big:2"), lab.size.set_members)
        idle = baseline(lab)
        tries = [lab.window("drop", functools.partial(_drop, impl, key)) for key in ("big:1", "big:2")]
        return idle, min(tries, key=lambda w: w.p99_ms), lab.size.set_members


@check("single-thread.drop_keeps_gets_fast", "removing a big set leaves other clients' GETs fast")
def drop_keeps_gets_fast(ctx: DrillContext, impl: Any) -> Verdict:
    """Other clients' GET p99 while ``drop`` removes a big set (1M members; 400,000 with the small
    workload) stays under the stall limit (the better of two tries), or ``drop`` itself answered
    within the floor, so it cannot have blocked the main thread that long."""
    idle, during, members = measure_drop(ctx, impl)
    limit = stall_limit(idle)
    # A command that answered within the floor cannot have held the main thread longer than that:
    # a slower GET then is the machine (the lazy-free thread and others sharing few cores).
    quick = during.command_ms < FLOOR_MS
    machine = " (drop itself answered within the floor: the machine, not the main thread)"
    return verdict(
        during.p99_ms < limit or quick,
        f"GET p99 {during.p99_ms:.1f} ms while drop ran ({during.command_ms:.1f} ms; the better of "
        f"two tries), idle "
        f"{idle.p99_ms:.1f} ms; a stall is above {limit:.0f} ms"
        + (machine if quick and during.p99_ms >= limit else ""),
        pitfall="DEL frees every member on the main thread; UNLINK leaves that to a background thread",
        idle_p50_ms=round(idle.p50_ms, 3),
        idle_p99_ms=round(idle.p99_ms, 3),
        p50_ms=round(during.p50_ms, 3),
        p99_ms=round(during.p99_ms, 3),
        command_ms=round(during.command_ms, 1),
        members=members,
    )


def readback(lab: lb.Lab) -> tuple[lb.Window, list[dict[str, Any]], list[list[Any]]]:
    """Run the busy script with SLOWLOG and the latency monitor on; their entries afterwards."""
    lab.admin.config_set("slowlog-log-slower-than", 10_000)
    lab.admin.config_set("latency-monitor-threshold", LATENCY_THRESHOLD_MS)
    iterations = lab.busy_iterations(SCRIPT_MS)
    lab.admin.slowlog_reset()
    lab.admin.execute_command("LATENCY", "RESET")
    window = lab.window("script", lambda r: r.eval(lb.BUSY_SCRIPT, 0, iterations))
    return window, list(lab.admin.slowlog_get(10)), list(lab.admin.execute_command("LATENCY", "LATEST"))


def command_text(entry: dict[str, Any]) -> str:
    """The command line of a SLOWLOG entry as text (redis-py leaves it as bytes)."""
    command = entry.get("command", "")
    return command.decode(errors="replace") if isinstance(command, bytes) else str(command)


@check("single-thread.server_records_it", "SLOWLOG and LATENCY LATEST record the busy script")
def server_records_it(ctx: DrillContext, impl: Any) -> Verdict:
    """The server's own logs name the script that stalled everyone: SLOWLOG with an EVAL entry and
    LATENCY LATEST with a ``command`` event, both above the latency monitor's threshold."""
    with lb.open_lab(ctx.breaker, workload()) as lab:
        window, slowlog, latest = readback(lab)
    evals = [e for e in slowlog if command_text(e).upper().startswith("EVAL")]
    logged_ms = max((int(e["duration"]) / 1000 for e in evals), default=0.0)
    events = {str(row[0]): int(row[3]) for row in latest}
    command_max = events.get("command", 0)
    ok = logged_ms >= LATENCY_THRESHOLD_MS and command_max >= LATENCY_THRESHOLD_MS
    return verdict(
        ok,
        f"SLOWLOG: EVAL ran {logged_ms:.0f} ms (its client waited {window.command_ms:.0f} ms); "
        f"LATENCY LATEST 'command' max {command_max} ms",
        pitfall="SLOWLOG times execution only; LATENCY needs latency-monitor-threshold above 0",
        slowlog_ms=round(logged_ms, 1),
        latency_command_max_ms=command_max,
        client_ms=round(window.command_ms, 1),
    )


#: What practice grading runs: only drop() is learner code.
CHECKS = (drop_keeps_gets_fast,)
