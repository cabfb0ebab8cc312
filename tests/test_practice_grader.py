"""The grader survives hostile learner code and reports in CI formats; the practice CLI."""

from __future__ import annotations

import json
import os
import socket
import tempfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest

from redisprep.drills import get_drill
from redisprep.errors import BackendUnavailableError
from redisprep.practice import formats
from redisprep.practice.catalog import get_exercise
from redisprep.practice.grade import grade

HOSTILE = Path(__file__).parent / "fixtures" / "practice" / "hostile"
#: How many checks grade the leaderboard exercise.
CHECKS = len(get_drill("leaderboard").drill.checks)
ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "redisprep" / "drills" / "leaderboard" / "reference.py"


@pytest.fixture(scope="module")
def exercise() -> Any:
    return get_exercise("leaderboard")


def test_endless_loop_fails_each_check_by_timeout(exercise: Any) -> None:
    report = grade(
        exercise, HOSTILE / "endless_loop.py", timeout_s=1.0, only=("leaderboard.top_k", "leaderboard.rank")
    )
    assert [c.status for c in report.checks] == ["error", "error"]
    assert all("did not finish within 1 s" in c.message for c in report.checks)


def test_sys_exit_is_a_failed_check(exercise: Any) -> None:
    report = grade(exercise, HOSTILE / "exits.py", only=("leaderboard.top_k",))
    assert report.checks[0].status == "error"
    assert "called sys.exit(3)" in report.checks[0].message


def test_hard_exit_fails_the_check_and_the_rest_still_run(exercise: Any) -> None:
    report = grade(exercise, HOSTILE / "hard_exit.py", only=("leaderboard.top_k", "leaderboard.rank"))
    assert [c.id for c in report.checks] == ["leaderboard.top_k", "leaderboard.rank"]
    assert all("exited with code 7" in c.message for c in report.checks)


def test_import_error_names_the_line(exercise: Any) -> None:
    report = grade(exercise, HOSTILE / "import_error.py")
    assert len(report.checks) == CHECKS and all(c.status == "error" for c in report.checks)
    assert "failed to import: ModuleNotFoundError" in report.checks[0].message
    assert "import_error.py:3" in report.checks[0].message


def test_missing_functions_are_listed(exercise: Any) -> None:
    report = grade(exercise, HOSTILE / "empty.py")
    assert "missing functions: add_points, top, rank, shared_rank, around, page" in report.checks[0].message


def test_garbage_output_does_not_break_grading(exercise: Any) -> None:
    report = grade(exercise, HOSTILE / "prints_garbage.py", only=("leaderboard.top_k",))
    assert report.passed
    assert "garbage" in report.output and len(report.output) <= 2_000


def _grading_children() -> list[int]:
    """PIDs of grading children this test process started and has not reaped."""
    me, found = os.getpid(), []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except (OSError, ValueError):
            continue
        if int(stat[stat.rindex(")") + 2 :].split()[1]) == me and b"redisprep.practice.child" in cmdline:
            found.append(int(entry.name))
    return found


def test_a_grade_whose_server_is_unreachable_leaves_no_grading_child(exercise: Any) -> None:
    """The child starts before the server is opened (to import meanwhile); a failed open stops it."""
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(BackendUnavailableError):
        grade(exercise, REFERENCE, url=f"redis://127.0.0.1:{port}")
    assert _grading_children() == []


def test_report_formats(exercise: Any, tmp_path: Path) -> None:
    report = grade(exercise, ROOT / "drills" / "leaderboard" / "wrong" / "read_modify_write.py")
    suite = ET.fromstring(formats.junit_xml(report))
    assert suite.get("tests") == str(CHECKS) and suite.get("failures") == "2"  # lost updates, 2 round trips
    failure = suite.find("testcase[@name='leaderboard.concurrent_add']/failure")
    assert failure is not None and "read-modify-write" in (failure.get("message") or "")
    results = formats.exercism_json(report)
    assert results["version"] == 3 and results["status"] == "fail"
    assert {t["task_id"] for t in results["tests"]} >= {"leaderboard.concurrent_add"}
    assert all(set(t) >= {"name", "status", "message", "task_id", "test_code"} for t in results["tests"])
    md = formats.markdown_summary(report)
    assert f"{CHECKS - 2} of {CHECKS} checks passed" in md and "--only leaderboard.concurrent_add" in md


def test_cli_check_exit_codes_and_ci_outputs(invoke: Any, tmp_path: Path, monkeypatch: Any) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    good = invoke(
        "practice",
        "check",
        "leaderboard",
        "--impl",
        str(REFERENCE),
        "--junit",
        str(tmp_path / "j.xml"),
        "--json",
        str(tmp_path / "r.json"),
        catch=False,
    )
    assert good.exit_code == 0, good.stderr
    assert json.loads((tmp_path / "r.json").read_text())["status"] == "pass"
    assert f"{CHECKS} of {CHECKS} checks passed" in summary.read_text()
    bad = invoke(
        "practice",
        "check",
        "leaderboard",
        "--impl",
        str(ROOT / "drills" / "leaderboard" / "wrong" / "read_modify_write.py"),
    )
    assert bad.exit_code == 1
    assert "pitfall: read-modify-write" in bad.stdout
    assert "reproduce: redisprep practice check leaderboard" in bad.stdout


def test_cli_errors_are_one_line(invoke: Any, tmp_path: Path) -> None:
    missing = invoke("practice", "check", "leaderboard", "--impl", str(tmp_path / "nope.py"))
    assert missing.exit_code == 2 and missing.stderr.startswith("error: no solution at ")
    unknown = invoke("practice", "start", "leaderbord")
    assert unknown.exit_code == 2 and "did you mean 'leaderboard'" in unknown.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("leaderbord",),
        ("leaderboard", "--impl", "/no/such/module.py"),
        ("leaderboard", "--impl", str(REFERENCE), "--only", "leaderboard.nope"),
    ],
)
def test_a_check_refused_before_grading_stops_the_child_it_started(
    invoke: Any, args: tuple[str, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """'practice check' starts the grading child first (it imports while the grader loads): a
    command line refused afterwards still stops it and removes its workspace."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where its workspace is made
    refused = invoke("practice", "check", *args)
    assert refused.exit_code == 2 and refused.stderr.startswith("error: ")
    assert _grading_children() == []
    assert list(tmp_path.iterdir()) == []


def test_the_workspace_of_a_check_is_made_where_the_test_looks(
    invoke: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The premise of the test above: the early child's workspace does go to ``tempfile.tempdir``."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    from redisprep.practice.spawn import prestarted

    with prestarted() as early:
        assert early.workspace.parent == tmp_path and early.workspace.is_dir()
    assert list(tmp_path.iterdir()) == []


def test_the_child_started_early_imports_the_drills_reference_before_the_module(
    invoke: Any, tmp_path: Path
) -> None:
    """Solutions build on the reference: the early child is told which one once the exercise is
    known, and imports it before it gives up its privileges (and before the learner's module)."""
    module = tmp_path / "solution.py"
    module.write_text(
        "import sys\n"
        "assert 'redisprep.drills.leaderboard.reference' in sys.modules, 'the reference was not preloaded'\n"
        "from redisprep.drills.leaderboard.reference import (\n"
        "    add_points, around, page, rank, shared_rank, top)\n"
    )
    graded = invoke("practice", "check", "leaderboard", "--impl", str(module), "--no-cards", catch=False)
    assert graded.exit_code == 0, graded.stdout + graded.stderr
    assert f"{CHECKS} of {CHECKS} checks passed" in graded.stdout
    assert _grading_children() == []


#: Runs the console-script entry point with ``sys.argv[1:]``, saying "started" for each grading
#: child, and whether typer was loaded by then.
_ENTRY = """
import sys
from redisprep.practice import spawn
real = spawn.prestart
def counting():
    sys.stderr.write("started after typer\\n" if "typer" in sys.modules else "started\\n")
    return real()
spawn.prestart = counting
from redisprep.cli import main
main(sys.argv[1:])
"""


def _entry(args: list[str], tmp_path: Path) -> tuple[int, str, int]:
    """Exit code, stdout and how many grading children ``redisprep ARGS`` started (workspaces in
    tmp_path), each before typer was loaded."""
    import subprocess
    import sys

    env = {**os.environ, "TMPDIR": str(tmp_path), "REDISPREP_SERVER": "/nonexistent/redis-server"}
    done = subprocess.run(
        [sys.executable, "-c", _ENTRY, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert "started after typer" not in done.stderr
    return done.returncode, done.stdout, done.stderr.count("started\n")


def test_the_entry_point_starts_the_child_first_and_the_check_grades_with_it(tmp_path: Path) -> None:
    """`redisprep practice check` starts its grading child before typer loads (its imports then
    overlap the grader's whole start-up), and the command grades with that very child: one child
    for one grade, and its workspace removed afterwards."""
    code, out, children = _entry(
        ["practice", "check", "leaderboard", "--impl", str(REFERENCE), "--no-cards"], tmp_path
    )
    assert code == 0, out
    assert f"{CHECKS} of {CHECKS} checks passed" in out
    assert children == 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "code", "children"),
    [
        (["practice", "check", "leaderboard", "--help"], 0, 0),
        (["practice", "list"], 0, 0),
        (["practice", "check", "nosuch"], 2, 1),
    ],
)
def test_a_command_line_that_grades_nothing_leaves_no_child(
    tmp_path: Path, args: list[str], code: int, children: int
) -> None:
    """Help and other commands start no child; a check refused after its child started stops it."""
    assert _entry(args, tmp_path)[::2] == (code, children)
    assert list(tmp_path.iterdir()) == []


def test_start_writes_starter_and_refuses_to_overwrite(invoke: Any, tmp_path: Path) -> None:
    first = invoke("practice", "start", "leaderboard", str(tmp_path), catch=False)
    assert first.exit_code == 0
    module = tmp_path / "leaderboard.py"
    assert "TODO" in module.read_text()
    assert "leaderboard.concurrent_add" in (tmp_path / "leaderboard.md").read_text()
    module.write_text("# my work\n")
    again = invoke("practice", "start", "leaderboard", str(tmp_path))
    assert again.exit_code == 2 and "already exists" in again.stderr
    assert module.read_text() == "# my work\n"


def test_hints_go_one_level_at_a_time_and_list_shows_status(invoke: Any) -> None:
    first = invoke("practice", "hint", "leaderboard", catch=False).stdout
    second = invoke("practice", "hint", "leaderboard", catch=False).stdout
    assert "hint 1/5" in first and "hint 2/5" in second
    invoke("practice", "check", "leaderboard", "--impl", str(REFERENCE), catch=False)
    listing = invoke("practice", "list", catch=False).stdout
    assert f"passing ({CHECKS}/{CHECKS})" in listing


def test_example_workflow_runs_the_grader_with_ci_outputs() -> None:
    import yaml

    path = Path(__file__).resolve().parent.parent / "examples" / "github-actions-practice.yml"
    workflow = yaml.safe_load(path.read_text())
    job = workflow["jobs"]["grade"]
    commands = " ".join(step.get("run", "") for step in job["steps"])
    assert "apt-get install -y -q redis-server" in commands  # a real Redis; see test_instructor_workflow
    assert "redisprep practice check" in commands and "--junit" in commands and "--json" in commands
