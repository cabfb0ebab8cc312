"""Two processes open a new quiz progress store at the same moment, many times; count the failures.

This is how the flake of test_two_sessions_at_once_leave_a_consistent_store was measured: before the
WAL switch was retried, about 1 open in 50 failed with 'database is locked' (reported as 'not a
redisprep progress store'). Usage: python scripts/stress_store_open.py [--pairs N]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

OPEN = """
import sys
from pathlib import Path
from redisprep.errors import RedisprepError
from redisprep.quiz.store import Store
try:
    with Store(Path(sys.argv[1])) as store:
        store.states()
except RedisprepError as exc:
    print(exc)
    sys.exit(3)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=200)
    args = parser.parse_args()
    failures: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.pairs):
            path = Path(tmp) / f"p{i}.sqlite3"
            procs = [
                subprocess.Popen([sys.executable, "-c", OPEN, str(path)], stdout=subprocess.PIPE, text=True)
                for _ in range(2)
            ]
            for proc in procs:
                out, _ = proc.communicate(timeout=60)
                if proc.returncode:
                    failures.append(out.strip())
    print(f"{len(failures)} of {2 * args.pairs} opens failed")
    for text in sorted(set(failures)):
        print(f"  {text}")


if __name__ == "__main__":
    main()
