"""Print the test matrix as a table from the JUnit XML files that ``make test-matrix`` wrote.

Each cell: passed / failed / skipped and wall time; a skipped cell's reasons are listed under the
table with their counts. Usage: python scripts/matrix_table.py [.matrix]
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

ROWS = ("locked", "lowest", "newest")
COLUMNS = ("embedded", "redis-7.0", "redis-6.2", "valkey-8.1", "redis-7.0-modules")


def read(path: Path) -> tuple[Counter[str], float, Counter[str]]:
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else list(root)
    outcome: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    seconds = 0.0
    for suite in suites:
        seconds += float(suite.get("time", 0))
        for case in suite.iter("testcase"):
            kinds = [child.tag for child in case if child.tag in ("failure", "error", "skipped")]
            kind = kinds[0] if kinds else "passed"
            outcome[{"failure": "failed", "error": "failed"}.get(kind, kind)] += 1
            if kind == "skipped":
                reasons[(case.find("skipped").get("message") or "")[:150]] += 1  # type: ignore[union-attr]
    return outcome, seconds, reasons


def main() -> int:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else ".matrix")
    print("| deps | " + " | ".join(COLUMNS) + " |")
    print("|---|" + "---|" * len(COLUMNS))
    notes: list[str] = []
    red = False
    for row in ROWS:
        cells = []
        for column in COLUMNS:
            path = folder / f"{row}--{column}.xml"
            if not path.is_file():
                cells.append("not run")
                continue
            outcome, seconds, reasons = read(path)
            red |= outcome["failed"] > 0
            cells.append(
                f"{outcome['passed']} / {outcome['failed']} / {outcome['skipped']}, {seconds / 60:.1f} min"
            )
            notes += [f"- {row} x {column}: {n} skipped: {reason}" for reason, n in reasons.most_common()]
        print(f"| {row} | " + " | ".join(cells) + " |")
    print("\ncells: passed / failed / skipped, wall time")
    print("\n".join(notes))
    return 1 if red else 0


if __name__ == "__main__":
    raise SystemExit(main())
