"""Write an exercise's starter module and task README into the learner's folder."""

from __future__ import annotations

from pathlib import Path

from redisprep.drills import get_drill
from redisprep.errors import BadUsageError
from redisprep.practice.catalog import Exercise

DEFAULT_DIR = Path("practice")


def solution_path(exercise: Exercise, directory: Path = DEFAULT_DIR) -> Path:
    """Where ``start`` puts the module: ``<directory>/<exercise>.py``."""
    return directory / exercise.module


def find_solution(exercise: Exercise, directory: Path = DEFAULT_DIR) -> Path:
    """The learner's module: in ``directory``, else in the current folder (``start`` made it, and the
    learner works inside it); under the name ``start`` writes, else the one older versions wrote
    (``rate_limit.py``). The new name in ``directory`` when there is none yet.
    """
    names = dict.fromkeys((exercise.module, exercise.old_module))
    candidates = [directory / n for n in names] + [Path(n) for n in names]
    return next((p for p in candidates if p.exists()), solution_path(exercise, directory))


def start(exercise: Exercise, directory: Path = DEFAULT_DIR, *, force: bool = False) -> list[Path]:
    """Write ``<module>.py`` (the starter) and ``<name>.md`` (the task) into ``directory``.

    Raises:
        BadUsageError: A file is already there and ``force`` is False (it may hold the learner's work).
    """
    module = solution_path(exercise, directory)
    readme = directory / f"{exercise.name}.md"
    existing = [p for p in (module, readme) if p.exists()]
    if existing and not force:
        raise BadUsageError(f"{existing[0]} already exists (your work?); pass --force to overwrite it")
    directory.mkdir(parents=True, exist_ok=True)
    module.write_text(exercise.starter.read_text(encoding="utf-8"), encoding="utf-8")
    readme.write_text(task_readme(exercise, module), encoding="utf-8")
    return [module, readme]


def task_readme(exercise: Exercise, module: Path) -> str:
    """The task, the checks that grade it, and how to run them."""
    checks = get_drill(exercise.drill).drill.checks
    lines = [
        f"# Exercise: {exercise.name} ({exercise.difficulty})",
        "",
        exercise.task,
        "",
        "## What the grader checks",
        "",
    ]
    lines += [f"- `{c.id}`: {c.title}" for c in checks]
    lines += [
        "",
        "## Commands",
        "",
        f"    redisprep practice check {exercise.name} --impl {module}",
        f"    redisprep practice check {exercise.name} --impl {module} --watch",
        f"    redisprep practice hint {exercise.name}",
        f"    redisprep drill {exercise.drill}        # the reference, narrated",
        "",
    ]
    return "\n".join(lines)
