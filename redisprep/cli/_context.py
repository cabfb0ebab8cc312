"""The object every command receives on ``ctx.obj``: consoles and global options. No globals."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from redisprep.practice.spawn import Spawned


@dataclass
class AppContext:
    """Consoles and global options; tests inject their own (``CliRunner.invoke(..., obj=...)``)."""

    console: Console
    err_console: Console
    debug: bool = False
    data_dir: Path | None = None
    early_child: Spawned | None = None
    """The grading child the entry point started before typer loaded (``practice check``)."""

    def take_early_child(self) -> Spawned | None:
        """:attr:`early_child`, handed over once (the entry point releases it whatever happens)."""
        child, self.early_child = self.early_child, None
        return child

    @classmethod
    def default(cls, *, no_color: bool = False) -> AppContext:
        """Consoles on stdout and stderr (rich is imported only here, when a command runs)."""
        from rich.console import Console

        return cls(
            console=Console(no_color=no_color, highlight=False),
            err_console=Console(stderr=True, no_color=no_color, highlight=False),
        )


@dataclass(frozen=True)
class EarlyStart:
    """``ctx.obj`` as the entry point passes it: what it started before typer loaded, for root to keep."""

    child: Spawned
