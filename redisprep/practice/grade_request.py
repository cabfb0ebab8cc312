"""A ``practice check`` command line, parsed once: the grade, then its files and the learner's record."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from redisprep.errors import BadUsageError
from redisprep.practice import formats
from redisprep.practice.catalog import Exercise, get_exercise
from redisprep.practice.grade import GradeReport, grade
from redisprep.practice.spawn import Spawned
from redisprep.practice.state import PracticeState
from redisprep.practice.workspace import find_solution
from redisprep.run import Target


@dataclass(frozen=True, slots=True)
class GradeRequest:
    """What to grade, where, and which files to write afterwards."""

    exercise: Exercise
    impl: Path
    target: Target
    seed: int = 0
    timeout_s: float = 10.0
    only: tuple[str, ...] = ()
    junit: Path | None = None
    json_file: Path | None = None

    @classmethod
    def parse(
        cls,
        name: str,
        impl: Path | None,
        target: Target,
        *,
        data_dir: Path | None = None,
        seed: int = 0,
        timeout_s: float = 10.0,
        only: tuple[str, ...] = (),
        junit: Path | None = None,
        json_file: Path | None = None,
    ) -> GradeRequest:
        """The exercise ``name`` and the learner's module: ``impl``, else practice/<module>.py, else
        <module>.py in this folder (where 'practice start' put the learner)."""
        exercise = get_exercise(name, data_dir)
        path = impl or find_solution(exercise)
        return cls(exercise, path, target, seed, timeout_s, only, junit, json_file)


def grade_request(request: GradeRequest, spawned: Spawned | None = None) -> GradeReport:
    """Grade the request's module (see :func:`~redisprep.practice.grade.grade`)."""
    return grade(
        request.exercise,
        request.impl,
        url=request.target.url,
        cluster=request.target.cluster,
        seed=request.seed,
        timeout_s=request.timeout_s,
        only=request.only,
        spawned=spawned,
    )


def settle(
    request: GradeRequest,
    report: GradeReport,
    state: PracticeState,
    environ: Mapping[str, str] | None = None,
) -> None:
    """Write JUnit XML and Exercism JSON when asked (and GitHub's step summary), then record the grade.

    A grade of some checks only (``--only``) is not recorded.

    Raises:
        BadUsageError: A file cannot be written.
    """
    outputs = []
    if request.junit is not None:
        outputs.append((request.junit, formats.junit_xml(report)))
    if request.json_file is not None:
        outputs.append((request.json_file, json.dumps(formats.exercism_json(report), indent=2) + "\n"))
    for path, text in outputs:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise BadUsageError(f"cannot write {path}: {exc.strerror or exc}") from None
    summary = (os.environ if environ is None else environ).get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as f:
            f.write(formats.markdown_summary(report))
    if not request.only:
        state.record_result(report.exercise, report.counts["pass"], len(report.checks), str(request.impl))
