"""Start-up benchmark: `redisprep --help` and `--version` against `python -c "import typer"`.

Targets (issue 2): --version within 1.3x and --help within 2x of importing typer, measured side by
side in one run. Usage: python scripts/bench_startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import platform
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import time_commands  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    py = sys.executable
    # The console script next to this interpreter: what users type.
    script = str(Path(py).with_name("redisprep"))
    medians = time_commands(
        {
            'python -c "import typer"': [py, "-c", "import typer"],
            "redisprep --version": [script, "--version"],
            "redisprep --help": [script, "--help"],
            "redisprep drill --help": [script, "drill", "--help"],
            "python -m redisprep --help": [py, "-m", "redisprep", "--help"],
        },
        runs=args.runs,
    )
    base = medians['python -c "import typer"']
    print(
        f"start-up, median of {args.runs} interleaved runs ({platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()})"
    )
    for name, seconds in medians.items():
        print(f"  {name:28s} {seconds * 1000:7.1f} ms   {seconds / base:4.2f}x")


if __name__ == "__main__":
    main()
