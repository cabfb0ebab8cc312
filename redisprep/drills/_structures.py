"""Helpers the data-structure drills share: the commands a step sent, encodings, and blocking demos."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from redisprep.drills._encoding import encoding_of, limits_of, model
from redisprep.drills.context import DrillContext
from redisprep.drills.model import CheckResult, DataTable, Scalar, status_of
from redisprep.explain.tracing import TracedCommand
from redisprep.knowledge.commands import command_doc

EXAMPLE_WIDTH = 48


def mark(ctx: DrillContext) -> int:
    """A position in the trace; pass it to :func:`commands_since` at the end of a step."""
    return len(ctx.tracer.commands)


def commands_since(ctx: DrillContext, start: int) -> list[TracedCommand]:
    """The commands traced since ``start``, in the order they completed."""
    return list(ctx.tracer.commands[start:])


def shown(ctx: DrillContext, text: str) -> str:
    """``text`` without the run's key prefix, so figures read (and repeat) the same in every run."""
    return text.replace(ctx.ns.prefix, "")


def command_table(
    ctx: DrillContext, commands: Sequence[TracedCommand], title: str = "commands and their cost"
) -> DataTable:
    """One row per distinct command of the labelled operations: an example and its complexity.

    Only commands sent inside ``ctx.tracer.operation(...)`` count; a check's setup is not the lesson.

    Commands a server module adds (BF.*, TS.*) or that Redis 7.0 lacks (HEXPIRE) are not in the
    7.0 command table; the row says so instead of guessing.
    """
    rows: dict[str, tuple[Scalar, ...]] = {}
    for cmd in commands:
        if cmd.operation is None or cmd.name in rows or cmd.name in ("MULTI", "EXEC"):
            continue
        example = shown(ctx, " ".join(cmd.argv))
        if len(example) > EXAMPLE_WIDTH:
            example = example[: EXAMPLE_WIDTH - 1] + "…"
        doc = command_doc(cmd.name)
        complexity = (doc.complexity or "-") if doc else "not in Redis 7.0's COMMAND DOCS"
        rows[cmd.name] = (cmd.name, example, complexity)
    return DataTable(title, ("command", "example (as sent)", "complexity (Redis docs)"), tuple(rows.values()))


ENCODING_COLUMNS = ("contents", "size", "encoding", "source")


def encoding_source_note(ctx: DrillContext) -> str:
    """One sentence saying whether the encodings shown were read or modelled."""
    if ctx.backend.has_command("object"):
        return "The encodings below were read from this server with `OBJECT ENCODING key`."
    return (
        "fakeredis has no `OBJECT ENCODING`, so on the embedded backend the encodings below are "
        'modelled from Redis 7.0\'s default thresholds (labelled "modelled"); run the drill with '
        "`--url` to read them from a real server."
    )


@dataclass(frozen=True, slots=True)
class Woken:
    """What a blocked consumer got once another client pushed."""

    reply: Any
    waited_ms: float
    """How long the consumer's blocking command took, from send to reply."""
    seen_blocked: bool
    """True when the server was seen holding the consumer blocked before the push was sent."""


def wake_blocked(
    ctx: DrillContext,
    block: Callable[[Any], Any],
    push: Callable[[Any], Any],
    *,
    settle_s: float = 0.03,
    limit_s: float = 1.0,
) -> Woken:
    """Run ``block(client)`` in a consumer thread and ``push(ctx.r)`` once it is blocked.

    On a live server the push waits until ``CLIENT LIST`` shows the consumer blocked (flag ``b``),
    so the demonstration does not depend on timing. fakeredis cannot report that; there the push
    follows a short pause (``settle_s``). ``block`` must use a timeout, so nothing hangs.
    """
    consumer = ctx.client()
    probe = ctx.backend.client()  # untraced: the polling is not part of the lesson
    ready = threading.Event()
    client_id: list[int] = []
    result: list[tuple[Any, float]] = []
    errors: list[BaseException] = []

    def consume() -> None:
        try:
            if ctx.backend.kind == "live":
                with ctx.tracer.paused():
                    client_id.append(int(consumer.client_id()))
            ready.set()
            start = time.perf_counter()
            reply = block(consumer)
            result.append((reply, (time.perf_counter() - start) * 1000))
        except BaseException as exc:  # re-raised in the calling thread below
            errors.append(exc)
            ready.set()

    thread = threading.Thread(target=consume, name="redisprep-blocked-consumer", daemon=True)
    thread.start()
    ready.wait(limit_s)
    seen = _wait_blocked(probe, client_id[0], limit_s) if client_id else False
    if not seen:
        time.sleep(settle_s)
    push(ctx.r)
    thread.join(limit_s + 5)
    if errors:
        raise errors[0]
    reply, waited = result[0] if result else (None, float("nan"))
    return Woken(reply, waited, seen)


def _wait_blocked(probe: Any, client_id: int, limit_s: float) -> bool:
    import redis

    deadline = time.perf_counter() + limit_s
    while time.perf_counter() < deadline:
        try:
            info = probe.client_list(client_id=[client_id])
        except redis.ResponseError:  # CLIENT LIST refused (ACL): fall back to a pause
            return False
        if info and "b" in str(info[0].get("flags", "")):
            return True
        time.sleep(0.002)
    return False


@dataclass(frozen=True, slots=True)
class EncodingCase:
    """One key to show in an encoding table."""

    label: str
    """What the key holds, in words (``"129 members"``)."""
    key: str
    size: Scalar
    changed_in_place: bool = False
    """Written by APPEND, SETRANGE, SETBIT, BITFIELD or PFADD (Redis leaves such strings ``raw``)."""


def encoding_table(
    ctx: DrillContext, drill: str, cases: Sequence[EncodingCase], title: str = "internal encoding"
) -> tuple[DataTable, tuple[CheckResult, ...]]:
    """The encoding of each case, and on a live server a check that the narrated thresholds hold.

    On a live server every encoding is read with OBJECT ENCODING and compared with what the
    threshold model predicts for that server's version and configuration; on the embedded backend
    the encodings are the model's, so there is nothing to check them against.
    """

    rows = []
    mismatches = []
    limits = limits_of(ctx)
    probe = ctx.backend.client()  # untraced: the model's reads are not part of the lesson
    for case in cases:
        enc = encoding_of(ctx, case.key, changed_in_place=case.changed_in_place)
        rows.append((case.label, case.size, enc.name, enc.source))
        if enc.source == "read":
            expected = model(
                probe,
                case.key,
                ctx.backend.release,
                limits,
                changed_in_place=case.changed_in_place,
            )
            if expected != enc.name:
                mismatches.append(f"{case.label}: read {enc.name}, narrated {expected}")
    table = DataTable(title, ENCODING_COLUMNS, tuple(rows))
    if not any(row[3] == "read" for row in rows):
        return table, ()
    result = CheckResult(
        id=f"{drill}.encodings",
        title="encodings switch where the narration says",
        status=status_of(not mismatches),
        message=(
            f"all {len(rows)} encodings read with OBJECT ENCODING match the thresholds"
            if not mismatches
            else "; ".join(mismatches)
        ),
        pitfall=None if not mismatches else "this server's version or configuration differs from the model",
        measured={"cases": len(rows), "mismatches": len(mismatches)},
    )
    return table, (result,)
