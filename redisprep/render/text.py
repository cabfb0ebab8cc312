"""Small rich building blocks shared by the renderers: prose with `code` spans, and bar charts."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

from rich.table import Table
from rich.text import Text

_CODE = re.compile(r"`([^`]+)`")


def prose(text: str) -> Text:
    """Narration or card text with `backticked` spans styled as code."""
    out = Text()
    last = 0
    for match in _CODE.finditer(text):
        out.append(text[last : match.start()])
        out.append(match.group(1), style="bold cyan")
        last = match.end()
    out.append(text[last:])
    return out


def bar_grid(
    rows: Iterable[tuple[str, float, str]],
    width: int,
    *,
    label_justify: Literal["left", "right"] = "right",
    show_nonzero: bool = False,
) -> Table:
    """Horizontal bars scaled to the largest value: one (label, value, value as shown) per row.

    Args:
        show_nonzero: Give every non-zero value at least one block, so small counts stay visible.
    """
    rows = list(rows)
    grid = Table.grid(padding=(0, 1))
    grid.add_column(justify=label_justify)
    grid.add_column()
    grid.add_column(justify="right")
    top = max((value for _, value, _ in rows), default=0) or 1
    for label, value, shown in rows:
        length = max(0, round(width * value / top))
        if show_nonzero and value:
            length = max(1, length)
        grid.add_row(label, Text("█" * length, style="magenta"), shown)
    return grid


def plural(count: int, noun: str) -> str:
    """``1 command``, ``2 commands``."""
    return f"{count:,} {noun}" + ("" if count == 1 else "s")
