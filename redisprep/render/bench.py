"""Rich renderables for ``redisprep bench``: rates next to redis-benchmark, latency histogram, scale run."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from redisprep.bench.model import BenchReport, Latency
from redisprep.render.text import bar_grid


def _ms(us: float) -> str:
    return f"{us / 1000:.3f} ms" if us >= 1000 else f"{us:.0f} µs"


def rates_table(report: BenchReport) -> Table:
    """Our write rates: one at a time, pipelined, from several connections."""
    table = Table(
        title="writes (SET; unpipelined unless it says so)", title_justify="left", header_style="bold"
    )
    for col in ("how", "requests", "seconds", "ops/s"):
        table.add_column(col, justify="left" if col == "how" else "right")
    for rate in report.rates:
        table.add_row(rate.label, f"{rate.operations:,}", f"{rate.seconds:.2f}", f"{rate.per_second:,.0f}")
    return table


def clients_table(report: BenchReport) -> Table | None:
    """The same SETs from redisprep's client, a bare redis-py client and redis-benchmark (ops/s)."""
    theirs = {e.matches: e for e in report.external}
    bare = {b.label: b for b in report.bare}
    if not (theirs or bare):
        return None
    table = Table(title="the same SETs from three clients (ops/s)", title_justify="left", header_style="bold")
    table.add_column("how")
    for col in ("redisprep", "bare redis-py", "redis-benchmark", "ratio"):
        table.add_column(col, justify="right")
    for rate in report.rates:
        ext, plain = theirs.get(rate.label), bare.get(rate.label)
        if ext is None and plain is None:
            continue
        table.add_row(
            rate.label,
            f"{rate.per_second:,.0f}",
            f"{plain.per_second:,.0f}" if plain else "",
            f"{ext.per_second:,.0f}" if ext else "",
            f"{rate.per_second / ext.per_second:.2f}x" if ext and ext.per_second else "",
        )
    notes = [
        "ratio: redisprep ÷ redis-benchmark; measured in alternating rounds, so a busy machine slows "
        "all three alike; redisprep keeps a connection per client, bare redis-py "
        "(redis.Redis.from_url) takes one from its pool, and checks its socket, for every command"
    ]
    more = [
        e
        for e in report.external
        if e.requests > next((r.operations for r in report.rates if r.label == e.matches), e.requests)
    ]
    if more:
        notes.append(
            f"redis-benchmark sent {more[0].requests:,} requests for deep pipelines: fewer finish in "
            "tens of ms, below what its millisecond timer resolves"
        )
    table.caption = "; ".join(notes)
    return table


def histogram(latency: Latency, width: int = 40) -> RenderableType:
    """Percentiles and a log-bucketed histogram of one latency distribution."""
    head = Text(
        f"{latency.label}: {latency.count:,} samples, p50 {_ms(latency.p50_us)}, "
        f"p99 {_ms(latency.p99_us)}, p99.9 {_ms(latency.p999_us)}, max {_ms(latency.max_us)}",
        style="bold",
    )
    rows = ((f"≤ {_ms(upper)}", count, f"{count:,}") for upper, count in latency.buckets)
    grid = bar_grid(rows, width, show_nonzero=True)
    return Group(head, grid)


def scale_table(report: BenchReport) -> Table:
    """Rank and top-K latency as the leaderboard grows."""
    table = Table(title="leaderboard at scale (one sorted set)", title_justify="left", header_style="bold")
    for col in ("members", "seeded in", "ZREVRANK p50", "ZREVRANK p99", "top-10 p50", "top-10 p99"):
        table.add_column(col, justify="right")
    for p in report.scale:
        table.add_row(
            f"{p.members:,}",
            f"{p.seed_seconds:.2f} s",
            _ms(p.rank.p50_us),
            _ms(p.rank.p99_us),
            _ms(p.top.p50_us),
            _ms(p.top.p99_us),
        )
    if len(report.scale) >= 2:
        first, last = report.scale[0], report.scale[-1]
        growth = last.members / first.members
        table.caption = (
            f"{growth:,.0f}x more members: rank p50 x{last.rank.p50_us / first.rank.p50_us:.2f}, "
            f"top-10 p50 x{last.top.p50_us / first.top.p50_us:.2f} (O(log N) plus the "
            "round trip, which dominates)"
        )
    return table


def report(rep: BenchReport) -> RenderableType:
    """The whole benchmark report."""
    parts: list[RenderableType] = [Text(f"benchmark on {rep.backend}", style="bold underline")]
    if rep.embedded:
        parts.append(
            Text(
                "These numbers describe Python and the in-process fakeredis, not Redis. "
                "Pass --url to measure a real server.",
                style="yellow",
            )
        )
    parts += [Text(""), rates_table(rep)]
    clients = clients_table(rep)
    if clients is not None:
        parts += [Text(""), clients]
    if rep.external_note:
        parts.append(Text(f"redis-benchmark: {rep.external_note}", style="dim"))
    for lat in rep.latencies:
        parts += [Text(""), histogram(lat)]
    if rep.scale:
        parts += [Text(""), scale_table(rep)]
    parts.append(Text(f"removed the run's {rep.keys_removed:,} keys", style="dim"))
    return Group(*parts)
