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
        runs = "1 run that" if report.recent == 1 else f"{report.recent} runs that"
        lines.append(
            f"spared {runs} started less than {older_than_s:g} s ago (still running?); if you "
            "killed it, clean it now with 'redisprep clean --older-than 0'"
        )
    if report.users:
        lines.append(f"deleted the ACL users of {report.users} interrupted gradings")
    return Text("\n".join(lines))
