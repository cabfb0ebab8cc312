"""The object every command receives on ``ctx.obj``: consoles and global options. No globals."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console


@dataclass
class AppContext:
    """Consoles and global options; tests inject their own (``CliRunner.invoke(..., obj=...)``)."""

    console: Console
    err_console: Console
    debug: bool = False
    data_dir: Path | None = None

    @classmethod
    def default(cls, *, no_color: bool = False) -> AppContext:
        """Consoles on stdout and stderr (rich is imported only here, when a command runs)."""
        from rich.console import Console

        return cls(
            console=Console(no_color=no_color, highlight=False),
            err_console=Console(stderr=True, no_color=no_color, highlight=False),
        )
