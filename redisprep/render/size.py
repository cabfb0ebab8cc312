"""Render a memory :class:`~redisprep.sizing.Estimate`: the working, the total and where it comes from."""

from __future__ import annotations

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from redisprep.sizing import Estimate

_SOURCE = {"model": "", "measured": "measured: ", "calibrated": "calibrated on your server: "}
_ENTRY = {"string": "key", "hash": "field", "zset": "member", "set": "member", "geo": "member"}


def size_bytes(n: float) -> str:
    """``980 B``, ``15.4 KB``, ``2.10 MB``, ``1.28 GB`` (powers of 1024)."""
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.2f} {unit}" if unit != "KB" else f"{n / scale:.1f} {unit}"
    return f"{n:.0f} B"


def _each(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"


def _heading(est: Estimate) -> str:
    s = est.shape
    if s.kind == "string":
        what = "integer" if s.integers else f"{s.value_bytes:,} B"
        return f"{s.keys:,} string keys of {s.key_bytes} B holding {what} values"
    entry = "field" if s.kind == "hash" else "member"
    detail = f"{s.member_bytes:,} B"
    if s.kind == "hash":
        detail += f" with {s.value_bytes:,} B values"
    if s.integers:
        detail = f"{s.member_bytes}-digit integer"
    keys = "1 key" if s.keys == 1 else f"{s.keys:,} keys"
    return f"{s.kind}: {keys} × {s.entries:,} {entry}s of {detail}"


def working_table(est: Estimate) -> Table:
    """One row per kind of allocation: how many, bytes each, bytes in all, and how each is made up."""
    table = Table(title=_heading(est), title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("part", no_wrap=True)
    table.add_column("count", justify="right")
    table.add_column("B each", justify="right")
    table.add_column("total", justify="right")
    table.add_column("working", overflow="fold")
    for line in est.lines:
        table.add_row(line.part, f"{line.count:,}", _each(line.each), size_bytes(line.total), line.note)
    return table


def estimate_report(est: Estimate) -> RenderableType:
    """The working table, the encoding and why, the total per entry, and where the figure comes from."""
    s = est.shape
    unit = _ENTRY[s.kind]
    total = Text.assemble(
        ("Total: ", "bold"),
        (size_bytes(est.total_bytes), "bold green"),
        f" ({est.total_bytes:,} B, {est.per_entry:,.1f} B per {unit}",
        "; ttl on every key" if s.ttl else "",
        ")",
    )
    parts: list[RenderableType] = [
        working_table(est),
        Text.assemble(("Encoding: ", "bold"), (est.encoding, "cyan"), f" ({est.why})"),
    ]
    if est.factor != 1.0:
        parts.append(
            Text(f"Model: {size_bytes(est.model_bytes)} ({est.model_bytes:,} B), × {est.factor:.3f}")
        )
    parts += [
        total,
        Text.assemble(("Source: ", "bold"), _SOURCE[est.source] + est.source_detail),
        Text(
            "Counted as INFO used_memory counts it on Redis 7.0 with jemalloc (each allocation's size "
            "class); MEMORY USAGE reports less. Not counted: the server's own baseline (~1 MB), client "
            "buffers, replication backlog, and fragmentation (used_memory_rss).",
            style="dim",
        ),
    ]
    parts += [Text(f"Note: {note}", style="yellow") for note in est.notes]
    return Group(*parts)
