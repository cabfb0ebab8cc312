"""Grade reports in the formats CI understands: JUnit XML, Exercism results.json v3, Markdown."""

from __future__ import annotations

import shlex
from typing import Any
from xml.etree import ElementTree as ET

from redisprep.drills.model import CheckResult
from redisprep.practice.grade import GradeReport


def reproduce_command(report: GradeReport, check: CheckResult) -> str:
    """One command that re-runs just this check the same way."""
    return shlex.join(
        [
            "redisprep",
            "practice",
            "check",
            report.exercise,
            "--impl",
            str(report.impl),
            "--only",
            check.id,
            "--seed",
            str(report.seed),
        ]
    )


def _text(check: CheckResult) -> str:
    return f"{check.message}" + (f" (pitfall: {check.pitfall})" if check.pitfall else "")


def junit_xml(report: GradeReport) -> str:
    """A JUnit XML document: one testsuite, one testcase per check."""
    counts = report.counts
    suite = ET.Element(
        "testsuite",
        name=f"redisprep.{report.exercise}",
        tests=str(len(report.checks)),
        failures=str(counts["fail"]),
        errors=str(counts["error"]),
        time=f"{report.duration_s:.3f}",
    )
    for check in report.checks:
        case = ET.SubElement(suite, "testcase", classname=f"redisprep.{report.exercise}", name=check.id)
        if check.status != "pass":
            tag = "failure" if check.status == "fail" else "error"
            node = ET.SubElement(case, tag, message=_text(check))
            node.text = f"{_text(check)}\nreproduce: {reproduce_command(report, check)}"
    if report.output:
        ET.SubElement(suite, "system-out").text = report.output
    return str(ET.tostring(suite, encoding="unicode", xml_declaration=True))


def exercism_json(report: GradeReport) -> dict[str, Any]:
    """Exercism's test-runner ``results.json``, version 3, with each check's task id."""
    status = "pass" if report.passed else ("error" if report.counts["error"] else "fail")
    return {
        "version": 3,
        "status": status,
        "message": None if report.passed else _summary(report),
        "tests": [
            {
                "name": check.title,
                "test_code": reproduce_command(report, check),
                "status": check.status,
                "message": None if check.status == "pass" else _text(check),
                "output": report.output or None,
                "task_id": check.id,
            }
            for check in report.checks
        ],
    }


def markdown_summary(report: GradeReport) -> str:
    """A Markdown table for ``$GITHUB_STEP_SUMMARY``."""
    mark = {"pass": "✅", "fail": "❌", "error": "💥"}
    lines = [
        f"### redisprep practice: {report.exercise}: {_summary(report)}",
        "",
        "| | check | result |",
        "|---|---|---|",
    ]
    for check in report.checks:
        message = _text(check).replace("|", "\\|")
        lines.append(f"| {mark[check.status]} | `{check.id}` | {message} |")
    failed = [c for c in report.checks if c.status != "pass"]
    if failed:
        lines += ["", "Reproduce the first failure:", "", f"    {reproduce_command(report, failed[0])}"]
    return "\n".join(lines) + "\n"


def _summary(report: GradeReport) -> str:
    counts = report.counts
    return f"{counts['pass']} of {len(report.checks)} checks passed"
