"""Save an interview (answers as given, the grade, stage reached) and export it as Markdown for a mentor."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from redisprep.interview.grade import Grade
from redisprep.quiz.store import StoreError
from redisprep.resources import user_data_dir


def transcripts_dir() -> Path:
    """Where interviews are saved: ``interviews/`` in the user's data folder (next to quiz progress)."""
    return user_data_dir() / "interviews"


def new_path(scenario: str, now: datetime) -> Path:
    """Where a new interview of ``scenario`` started at ``now`` is saved."""
    return transcripts_dir() / f"{now:%Y%m%dT%H%M%S}-{scenario}.json"


def save(
    path: Path,
    scenario: str,
    answers: dict[str, Any],
    grade: Grade | None,
    stage: str,
    now: datetime,
    minutes: float | None = None,
) -> Path:
    """Write one transcript (a partial one has ``grade`` None and the ``stage`` to continue from;
    ``minutes`` is the time budget asked for, which ``--resume`` keeps).

    Raises:
        StoreError: The folder or file cannot be written.
    """
    data = {
        "scenario": scenario,
        "saved_at": now.isoformat(),
        "complete": grade is not None,
        "stage": stage,
        "minutes": minutes,
        "answers": answers,
        "grade": grade.as_dict() if grade is not None else None,
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        raise StoreError(f"cannot save the interview to {path}: {exc.strerror or exc}") from None
    return path


def latest_partial(scenario: str) -> tuple[Path, dict[str, Any]] | None:
    """The newest unfinished transcript of ``scenario`` (what ``--resume`` continues), if any."""
    folder = transcripts_dir()
    for path in sorted(folder.glob(f"*-{scenario}.json"), reverse=True) if folder.is_dir() else ():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and not data.get("complete") and isinstance(data.get("answers"), dict):
            return path, data
    return None


def markdown(grade: Grade, answers: dict[str, Any]) -> str:
    """The interview as Markdown: score, each point with how it was checked, what to study, working."""
    s = grade.scenario
    out = [f"# Interview: {s.title}", "", f"**Score: {grade.score:.0%}**", "", s.brief.strip(), ""]
    out += ["## Rubric", "", "| point | score | checked | detail |", "|---|---|---|---|"]
    for r in grade.results:
        name = r.point.id + (" (bonus)" if r.point.bonus else "")
        detail = r.detail.replace("|", "\\|")
        out.append(f"| {name} | {r.score:g} | {r.how} | {detail} |")
    if grade.missed:
        out += ["", "## To study", ""]
        for r in grade.missed:
            cards = ", ".join(f"`{c}`" for c in r.point.cards)
            out.append(f"- **{r.point.earns}**: cards {cards}; run `redisprep drill {r.point.drill}`")
    out += ["", "## Working", "", "```", *grade.working, *grade.not_graded, "```"]
    out += ["", "## Answers", "", "```json", json.dumps(answers, indent=2, default=str), "```", ""]
    return "\n".join(out)
