"""What the test suite proves, counted by claim (test function) rather than by collected item.

A parametrized test is one claim checked on many inputs: 240 cards that each run are one claim, not
240. This prints, per test module, the first line of its docstring (what the module proves), its
claims and its items, then the claims checked on the most inputs, so a large item count cannot pass
for a large amount of proof.

Usage: python scripts/test_report.py [--markdown] [pytest collection args, e.g. -m "not live"]
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from typing import Any

import pytest


class _Collector:
    def __init__(self) -> None:
        self.items: list[Any] = []

    def pytest_collection_finish(self, session: Any) -> None:
        self.items = list(session.items)


def _first_line(doc: str | None) -> str:
    text = " ".join((doc or "").strip().split("\n\n")[0].split())
    return text.split(". ")[0].rstrip(".") if text else "(no module docstring)"


def main(argv: list[str]) -> int:
    markdown = "--markdown" in argv
    args = [a for a in argv if a != "--markdown"]
    collector = _Collector()
    code = pytest.main(["--collect-only", "-q", "-p", "no:randomly", "-n", "0", *args], plugins=[collector])
    if code not in (0, 5):
        print(f"error: collection failed (pytest exit {code})", file=sys.stderr)
        return 2
    claims: dict[str, Counter[str]] = defaultdict(Counter)
    proves: dict[str, str] = {}
    for item in collector.items:
        module = item.nodeid.split("::")[0]
        claims[module][getattr(item, "originalname", item.name)] += 1
        proves.setdefault(module, _first_line(getattr(item.module, "__doc__", None)))
    total_claims = sum(len(c) for c in claims.values())
    total_items = sum(sum(c.values()) for c in claims.values())
    print()
    print(f"{total_claims} claims (test functions) in {len(claims)} modules, checked by {total_items} items")
    print()
    rows = sorted(claims.items(), key=lambda kv: kv[0])
    if markdown:
        print("| module | what it proves | claims | items |")
        print("|---|---|---:|---:|")
        for module, counts in rows:
            print(f"| {module} | {proves[module]} | {len(counts)} | {sum(counts.values())} |")
    else:
        width = max(len(m) for m, _ in rows)
        for module, counts in rows:
            figures = f"{len(counts):>3} claims {sum(counts.values()):>5} items"
            print(f"{module:<{width}}  {figures}  {proves[module][:90]}")
    print()
    print("claims checked on the most inputs (items per claim):")
    wide = Counter({f"{m}::{f}": n for m, counts in claims.items() for f, n in counts.items()})
    for name, n in wide.most_common(10):
        print(f"  {n:>4}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
