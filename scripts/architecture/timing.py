"""Wall-clock figures: start-up against ``import typer``, and ``drill all`` on the embedded backend."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from _timing import time_commands


def _script() -> str:
    return str(Path(sys.executable).with_name("redisprep"))


def startup(runs: int) -> dict[str, float]:
    """Median seconds of each start-up command (interleaved), as ``scripts/bench_startup.py`` times them."""
    py, script = sys.executable, _script()
    return time_commands(
        {
            'python -c "import typer"': [py, "-c", "import typer"],
            "redisprep --version": [script, "--version"],
            "redisprep --help": [script, "--help"],
            "redisprep drill --help": [script, "drill", "--help"],
            "redisprep drill list": [script, "drill", "list"],
        },
        runs=runs,
    )


def drill_all(runs: int) -> dict[str, float]:
    """Median seconds of ``redisprep drill all`` on the embedded backend (output to a pipe)."""
    return time_commands({"redisprep drill all": [_script(), "drill", "all"]}, runs=runs)


def machine() -> str:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"{os.cpu_count()} CPUs, load average {load} (before timing), Python {sys.version.split()[0]}"
