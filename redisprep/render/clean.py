"""What ``redisprep clean`` removed, run by run."""

from __future__ import annotations

from rich.text import Text

from redisprep.cleanup import CleanReport


def clean_report(report: CleanReport, label: str, older_than_s: float) -> Text:
    """One line per run cleaned, the total, and the recent runs left alone."""
    lines = []
    for run_id, count in sorted(report.removed.items()):
        left = report.left.get(run_id, 0)
        lines.append(f"run {run_id}: removed {count} keys" + (f", {left} still there" if left else ""))
    lines.append(f"removed {report.keys} keys of {len(report.removed)} interrupted runs from {label}")
    if report.recent:
        lines.append(f"left {report.recent} runs that started less than {older_than_s:g} s ago (running?)")
    if report.users:
        lines.append(f"deleted the ACL users of {report.users} interrupted gradings")
    return Text("\n".join(lines))
