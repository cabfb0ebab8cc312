"""Property-based tests: malformed and adversarial data files never escape as anything but a
``file:line`` DataFormatError (exit code 3 through the CLI), and never hang or blow up memory.

Runs are reproducible (``derandomize=True``: the examples come from a fixed seed) and bounded
(``max_examples`` per test). ``pytest --hypothesis-show-statistics`` prints how many ran.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fuzz_docs import DECK, DRILL, EXERCISE, documents
from hypothesis import HealthCheck, event, example, given, settings

from redisprep import resources
from redisprep._yaml import load_yaml
from redisprep.drills.catalog import load_catalog, load_meta
from redisprep.errors import DataFormatError, ExitCode
from redisprep.practice.catalog import load_exercise, load_exercises
from redisprep.quiz.deck import parse_deck

FUZZ = settings(
    max_examples=600,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
#: Through the CLI each example costs a command run: fewer of them.
FUZZ_CLI = settings(FUZZ, max_examples=100)


def lines_in(data: bytes) -> int:
    return data.count(b"\n") + 1


def assert_points_into(exc: DataFormatError, path: Path, data: bytes) -> None:
    """The error names the file, a line inside it (every file here exists), and is one line."""
    event(f"refused: {outcome(exc.problem)}")
    assert exc.path == str(path)
    assert exc.line is not None, exc
    assert 1 <= exc.line <= lines_in(data), (exc, lines_in(data))
    assert str(exc).startswith(f"{path}:{exc.line}: ")
    assert "\n" not in exc.problem and len(exc.problem) < 400, exc.problem


def outcome(problem: str) -> str:
    """What kind of problem stopped the file, for hypothesis' statistics."""
    if problem.startswith(("YAML", "not UTF-8", "cannot read", "duplicate key", "mapping key")):
        return "not valid YAML"
    if problem.startswith(("aliases expand", "an alias refers", "nested more")):
        return "alias bomb, recursion or depth"
    return "a field is wrong"


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    """A folder for the fuzzed files (hypothesis runs many examples per test function)."""
    folder = Path(tempfile.mkdtemp(prefix="redisprep-fuzz-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


#: Failures these tests found before the loaders were fixed, kept as fixed examples.
FOUND = (
    b"$: !!int",  # IndexError inside PyYAML's int constructor
    b"$: !!bool maybe",  # KeyError
    b"$: !!timestamp never",  # AttributeError
    b"x: 2001-02-30",  # ValueError: day is out of range for month
    b"x: " + b"9" * 5000,  # ValueError: past Python's integer conversion limit
    b"\x00",  # a control character: the error had no line
    b"\x80",  # not UTF-8: the error had no line
    b"a: 1\n\xc2\x85[",  # U+0085 ends a line for YAML, not for an editor: line past the end
    b"[" * 600 + b"]" * 600,  # RecursionError while building
    b"- &a [*a]",  # recursive alias: endless structure handed to the validators
)


@FUZZ
@given(data=documents(DECK))
@example(data=FOUND[0]).via("found by this test")
@example(data=FOUND[1]).via("found by this test")
@example(data=FOUND[2]).via("found by this test")
@example(data=FOUND[3]).via("found by this test")
@example(data=FOUND[4]).via("found by this test")
@example(data=FOUND[5]).via("found by this test")
@example(data=FOUND[6]).via("found by this test")
@example(data=FOUND[7]).via("found by this test")
@example(data=FOUND[8]).via("found while writing this test")
@example(data=FOUND[9]).via("found while writing this test")
def test_any_file_loads_as_yaml_or_is_a_data_error_with_its_line(data: bytes, scratch: Path) -> None:
    path = scratch / "any.yaml"
    path.write_bytes(data)
    try:
        load_yaml(path)
    except DataFormatError as exc:
        assert_points_into(exc, path, data)
    else:
        event("loaded")


@FUZZ
@given(data=documents(DECK))
def test_a_deck_gives_cards_or_file_line_problems_and_never_raises(data: bytes, scratch: Path) -> None:
    path = scratch / "fuzz.yaml"
    path.write_bytes(data)
    problems: list[Any] = []
    deck = parse_deck(path, problems)
    assert deck is not None or problems
    event(f"refused: {outcome(problems[0].problem)}" if problems else "loaded")
    for problem in problems:
        assert problem.where.path == str(path)
        assert problem.where.line is not None and 1 <= problem.where.line <= lines_in(data), problem
        assert "\n" not in problem.problem and len(problem.problem) < 400, problem


@FUZZ
@given(data=documents(EXERCISE))
def test_an_exercise_loads_or_is_a_data_error_with_its_line(data: bytes, scratch: Path) -> None:
    folder = scratch / "fuzz"
    folder.mkdir(exist_ok=True)
    (folder / "starter.py").write_text("def todo(): ...\n")
    path = folder / "exercise.yaml"
    path.write_bytes(data)
    try:
        exercise = load_exercise(path)
    except DataFormatError as exc:
        assert_points_into(exc, path, data)
    else:
        event("loaded")
        assert exercise.name == "fuzz" and exercise.hints


@FUZZ
@given(data=documents(DRILL))
def test_drill_metadata_loads_or_is_a_data_error_with_its_line(data: bytes, scratch: Path) -> None:
    path = scratch / "drill.yaml"
    path.write_bytes(data)
    try:
        meta = load_meta(path, "fuzz")
    except DataFormatError as exc:
        assert_points_into(exc, path, data)
    else:
        event("loaded")
        assert meta.name == "fuzz" and meta.title


# -- the same files through the command line ---------------------------------------------------


@pytest.fixture(scope="module")
def data_dir() -> Iterator[Path]:
    """A copy of the shipped drills/ folder, for --data-dir runs with one file replaced."""
    folder = Path(tempfile.mkdtemp(prefix="redisprep-fuzz-data-"))
    shutil.copytree(resources.drills_dir(None), folder / "drills")
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def assert_one_error_line(result: Any, path: Path) -> None:
    assert result.exit_code in (0, ExitCode.DATA), (result.exit_code, result.stderr, result.exception)
    if result.exit_code == ExitCode.DATA:
        assert result.stderr.startswith(f"error: {path}:"), result.stderr
        assert result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout


@FUZZ_CLI
@given(data=documents(DRILL))
def test_drill_list_with_a_broken_drill_yaml_is_one_error_line_exit_3(
    data: bytes, data_dir: Path, invoke: Any
) -> None:
    path = data_dir / "drills" / "leaderboard" / "drill.yaml"
    result = _list_with(path, data, load_catalog, invoke, "--data-dir", str(data_dir), "drill", "list")
    assert_one_error_line(result, path)


@FUZZ_CLI
@given(data=documents(EXERCISE))
def test_practice_list_with_a_broken_exercise_is_one_error_line_exit_3(
    data: bytes, data_dir: Path, invoke: Any
) -> None:
    path = data_dir / "drills" / "leaderboard" / "exercise.yaml"
    result = _list_with(path, data, load_exercises, invoke, "--data-dir", str(data_dir), "practice", "list")
    assert_one_error_line(result, path)


def _list_with(path: Path, data: bytes, cached: Any, invoke: Any, *args: str) -> Any:
    """Run the CLI with ``path`` replaced by ``data`` (and the loader's cache cleared), then restore it."""
    original = path.read_bytes()
    path.write_bytes(data.replace(b"fuzz", b"leaderboard"))
    cached.cache_clear()
    try:
        return invoke(*args)
    finally:
        path.write_bytes(original)
        cached.cache_clear()


@FUZZ_CLI
@given(data=documents(DECK))
def test_quiz_lint_reports_file_line_problems_and_exit_3(data: bytes, scratch: Path, invoke: Any) -> None:
    path = scratch / "fuzz.yaml"
    path.write_bytes(data)
    result = invoke("quiz", "lint", str(path))
    assert result.exit_code in (0, ExitCode.DATA), (result.exit_code, result.stderr, result.exception)
    assert result.stderr == "" and "Traceback" not in result.stdout
    if result.exit_code == ExitCode.DATA:
        reported = [line for line in result.stdout.splitlines() if line.startswith(str(path))]
        assert reported and all(line.startswith(f"{path}:") for line in reported), result.stdout
