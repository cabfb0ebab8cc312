"""Load interview scenarios from YAML and validate them, naming ``file:line`` for every problem."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from redisprep._yaml import brief
from redisprep.errors import BadUsageError
from redisprep.interview.measure import REMEDIES
from redisprep.interview.model import (
    CHECK_KINDS,
    STAGES,
    Assumption,
    CheckKind,
    DeepDive,
    Point,
    Scenario,
    Sizing,
    Stage,
)
from redisprep.quiz._fields import Fields, open_mapping
from redisprep.quiz.model import Problem
from redisprep.sizing import KINDS, parse_count

FORMAT_VERSION = 1
_TOP = (
    "format_version",
    "scenario",
    "title",
    "brief",
    "facts",
    "stages",
    "assumptions",
    "sizing",
    "judge",
    "deep_dives",
    "rubric",
)


def scenario_files(folder: Path) -> list[Path]:
    """The scenario files in ``folder``, sorted."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def count(value: Any) -> int | None:
    """``10M`` as 10_000_000, an int as itself; None when it is not a whole count."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        return parse_count(str(value), "count")
    except BadUsageError:
        return None


def parse_scenario(path: Path, problems: list[Problem]) -> Scenario | None:
    """Parse one scenario file, appending its problems; None when it cannot be used."""
    where = str(path)
    f = open_mapping(path, problems, "a scenario must be a mapping (format_version, scenario, ...)")
    if f is None:
        return None
    doc = f.node
    f.only(_TOP, "a scenario")
    if f.require("format_version") and doc["format_version"] != FORMAT_VERSION:
        f.problem(
            "format_version", f"format_version must be {FORMAT_VERSION}, not {brief(doc['format_version'])}"
        )
    sid = f.name("scenario")
    if sid is not None and sid != path.stem:
        f.problem("scenario", f"scenario is {brief(sid)} but the file is {path.name!r}: they must match")
    title, text, judge = f.text("title"), f.text("brief"), f.name("judge")
    facts = _facts(f)
    stages = _stages(f)
    assumptions = tuple(_each(f, "assumptions", _assumption))
    sizing = _sizing(f, dict(facts))
    dives = tuple(_each(f, "deep_dives", _dive))
    points = tuple(_each(f, "rubric", _point))
    if f.failed or None in (sid, title, text, judge, sizing):
        return None
    return Scenario(
        cast(str, sid),
        cast(str, title),
        cast(str, text),
        facts,
        stages,
        assumptions,
        cast(Sizing, sizing),
        cast(str, judge),
        dives,
        points,
        where,
    )


def _each(f: Fields, key: str, parse: Any) -> list[Any]:
    raw = f.node.get(key)
    if not f.require(key):
        return []
    if not isinstance(raw, list) or not raw:
        f.problem(key, f"{key!r} must be a non-empty list")
        return []
    out = []
    for item in raw:
        if not isinstance(item, dict):
            f.problem(key, f"each item of {key!r} must be a mapping, not {brief(item)}")
            continue
        sub = Fields(item, f.path, f.problems)
        value = parse(sub)
        if sub.failed:
            f.failed = True
        elif value is not None:
            out.append(value)
    return out


def _facts(f: Fields) -> tuple[tuple[str, int], ...]:
    raw = f.node.get("facts")
    if not f.require("facts"):
        return ()
    if not isinstance(raw, dict) or not raw:
        f.problem("facts", "'facts' must be a mapping of name to a count (10M, 50k, 300)")
        return ()
    out = []
    for name, value in raw.items():
        n = count(value)
        if n is None:
            f.problem("facts", f"fact {brief(name)}: {brief(value)} is not a count such as 300, 50k or 10M")
        else:
            out.append((str(name), n))
    return tuple(out)


def _stages(f: Fields) -> tuple[Stage, ...]:
    stages = _each(f, "stages", _stage)
    ids = tuple(s.id for s in stages)
    if stages and ids != STAGES:
        f.problem("stages", f"stages must be, in order: {', '.join(STAGES)} (found {', '.join(ids)})")
    return tuple(stages)


def _stage(f: Fields) -> Stage | None:
    f.only(("id", "minutes", "prompt"), "a stage")
    sid, prompt = f.name("id"), f.text("prompt")
    minutes = f.node.get("minutes")
    if f.require("minutes") and (
        isinstance(minutes, bool) or not isinstance(minutes, int | float) or minutes <= 0
    ):
        f.problem("minutes", f"'minutes' must be a positive number, not {brief(minutes)}")
        return None
    return Stage(sid, float(minutes), prompt) if sid and prompt else None


def _assumption(f: Fields) -> Assumption | None:
    f.only(("name", "low", "high", "why"), "an assumption")
    name, why = f.text("name"), f.text("why")
    low, high = count(f.node.get("low")), count(f.node.get("high"))
    if low is None or high is None or low > high:
        f.problem("low", "'low' and 'high' must be counts with low <= high")
        return None
    return Assumption(name, low, high, why) if name and why else None


def _sizing(f: Fields, facts: dict[str, int]) -> Sizing | None:
    raw = f.node.get("sizing")
    if not f.require("sizing"):
        return None
    if not isinstance(raw, dict):
        f.problem("sizing", "'sizing' must be a mapping with 'kinds' and 'entries_fact'")
        return None
    s = Fields(raw, f.path, f.problems)
    s.only(("kinds", "entries_fact"), "sizing")
    kinds = s.texts("kinds", low=1)
    for kind in kinds:
        if kind not in KINDS:
            s.problem("kinds", f"kind {brief(kind)} is not one 'redisprep size' models ({', '.join(KINDS)})")
    fact = s.text("entries_fact")
    if fact is not None and fact not in facts:
        s.problem("entries_fact", f"{fact!r} is not one of the stated facts")
    if s.failed or fact is None:
        f.failed = True
        return None
    return Sizing(kinds, fact)


def _dive(f: Fields) -> DeepDive | None:
    f.only(("id", "prompt", "choices", "best", "proactive", "measure", "remedies"), "a deep dive")
    did, prompt = f.name("id"), f.text("prompt")
    raw = f.node.get("choices")
    if not f.require("choices") or not isinstance(raw, dict) or not 2 <= len(raw) <= 6:
        f.problem("choices", "'choices' must map 2 to 6 letters to remedies")
        return None
    choices = tuple((str(k), str(v).strip()) for k, v in raw.items())
    best = f.texts("best", low=1)
    for letter in best:
        if letter not in raw:
            f.problem("best", f"best choice {letter!r} is not one of the choices")
    proactive = f.texts("proactive", low=1)
    measure, remedies = _measure(f, raw)
    if not (did and prompt):
        return None
    return DeepDive(did, prompt, choices, best, tuple(w.lower() for w in proactive), measure, remedies)


def _measure(f: Fields, choices: dict[Any, Any]) -> tuple[str | None, tuple[tuple[str, str], ...]]:
    """``measure`` (what to run) and ``remedies`` (letter -> measured remedy, for every choice)."""
    measure = f.text("measure", required=False)
    if measure is None:
        return None, ()
    if measure not in REMEDIES:
        f.problem("measure", f"'measure' must be one of {', '.join(REMEDIES)}, not {brief(measure)}")
        return None, ()
    raw = f.node.get("remedies")
    if not isinstance(raw, dict) or set(map(str, raw)) != set(map(str, choices)):
        f.problem("remedies", "'remedies' must map every choice letter to the remedy it amounts to")
        return None, ()
    for letter, remedy in raw.items():
        if remedy not in REMEDIES[measure]:
            f.problem("remedies", f"{letter}: {brief(remedy)} is not one of {', '.join(REMEDIES[measure])}")
    return measure, tuple((str(k), str(v)) for k, v in raw.items())


def _point(f: Fields) -> Point | None:
    f.only(("id", "earns", "check", "cards", "drill", "bonus"), "a rubric point")
    pid, earns, drill = f.name("id"), f.text("earns"), f.name("drill")
    cards = f.texts("cards", low=1)
    bonus = f.node.get("bonus", False)
    if not isinstance(bonus, bool):
        f.problem("bonus", "'bonus' must be true or false")
    raw = f.node.get("check")
    if not f.require("check"):
        return None
    if not isinstance(raw, dict) or len(raw) != 1 or next(iter(raw)) not in CHECK_KINDS:
        f.problem(
            "check", f"'check' must be one of {', '.join(CHECK_KINDS)} with its target, not {brief(raw)}"
        )
        return None
    kind, target = next(iter(raw.items()))
    targets = target if isinstance(target, list) else [target]
    if not all(isinstance(t, str | bool) for t in targets):
        f.problem("check", f"the target of {kind!r} must be a name or a list of names")
        return None
    names = tuple(str(t) for t in targets if not isinstance(t, bool))
    if not (pid and earns and drill and cards):
        return None
    return Point(pid, earns, cast(CheckKind, kind), names, cards, drill, bool(bonus), f.where())
