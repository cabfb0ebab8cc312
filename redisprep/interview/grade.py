"""Grade a candidate's answers against a scenario's rubric, stage by stage, with the working shown."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from redisprep.errors import RedisprepError
from redisprep.interview.answers import Answers
from redisprep.interview.design import template_problems
from redisprep.interview.judges import JUDGES
from redisprep.interview.measure import describe, hot_key_shares
from redisprep.interview.model import Point, Scenario
from redisprep.interview.runner import Ran, run_design
from redisprep.interview.static import RULES
from redisprep.knowledge.commands import command_doc
from redisprep.sizing import build_shape, estimate

How = Literal["stated", "sized", "ran", "static", "chosen", "proactive"]
#: How each check kind is decided, as the rubric output says it.
HOW: dict[str, How] = {
    "assumptions": "stated",
    "memory": "sized",
    "run": "ran",
    "static": "static",
    "dive": "chosen",
    "proactive": "proactive",
}


@dataclass(frozen=True, slots=True)
class PointResult:
    """One rubric point's score (0, 0.5 or 1; a fraction for stated numbers) and why."""

    point: Point
    score: float
    how: How
    detail: str

    @property
    def missed(self) -> bool:
        """A point not fully earned (a bonus point is never missed)."""
        return self.score < 1 and not self.point.bonus


@dataclass(frozen=True, slots=True)
class Grade:
    """The whole interview's outcome."""

    scenario: Scenario
    results: tuple[PointResult, ...]
    working: tuple[str, ...]
    """Stage 2's arithmetic and stage 3's run, in lines."""
    not_graded: tuple[str, ...]

    @property
    def score(self) -> float:
        """Earned over possible (bonus points add to earned only), capped at 1."""
        possible = sum(1 for r in self.results if not r.point.bonus)
        return min(1.0, sum(r.score for r in self.results) / max(possible, 1))

    @property
    def missed(self) -> tuple[PointResult, ...]:
        """The points not fully earned."""
        return tuple(r for r in self.results if r.missed)

    def as_dict(self) -> dict[str, Any]:
        """Plain data for ``--json`` and the saved transcript."""
        return {
            "scenario": self.scenario.id,
            "score": round(self.score, 4),
            "percent": round(self.score * 100),
            "points": [
                {
                    "id": r.point.id,
                    "earns": r.point.earns,
                    "score": r.score,
                    "checked": r.how,
                    "bonus": r.point.bonus,
                    "detail": r.detail,
                    "cards": list(r.point.cards),
                    "drill": r.point.drill,
                }
                for r in self.results
            ],
            "missed": [
                {"id": r.point.id, "cards": list(r.point.cards), "drill": r.point.drill} for r in self.missed
            ],
            "working": list(self.working),
            "not_graded": list(self.not_graded),
        }


def grade(scenario: Scenario, answers: Answers) -> Grade:
    """Grade every rubric point; the data model runs on an embedded server of its own."""
    working: list[str] = []
    memory = _memory(scenario, answers, working)
    ran = _run(scenario, answers, working)
    results = []
    for p in scenario.points:
        if p.kind == "assumptions":
            score, detail = _assumptions(scenario, answers, p.target)
        elif p.kind == "memory":
            score, detail = memory
        elif p.kind == "run":
            ok, detail = ran.outcomes.get(p.target[0], (False, ran.stopped or "not run"))
            score = float(ok)
        elif p.kind == "static":
            ok, detail = RULES[p.target[0]](answers.design)
            score, detail = float(ok), detail + " (checked statically, not run)"
        elif p.kind == "dive":
            score, detail = _choice(scenario, answers, p.target[0])
        else:
            score, detail = _proactive(scenario, answers, p.target[0])
        results.append(PointResult(p, score, HOW[p.kind], detail))
    not_graded = [
        f"ops/s ({answers.ops_per_s or 'not stated'}) and shards ({answers.shards or 'not stated'}): "
        "not graded; redisprep has no measured per-core throughput to compare them with"
    ]
    return Grade(scenario, tuple(results), tuple(working), tuple(not_graded))


def _assumptions(scenario: Scenario, answers: Answers, names: tuple[str, ...]) -> tuple[float, str]:
    stated = dict(answers.assumptions)
    for name, value in stated.items():
        fact = scenario.fact(name)
        if fact is not None and fact != value:
            return 0.0, f"{name} = {value:,} contradicts the stated fact ({fact:,})"
    ok, notes = 0, []
    for want in scenario.assumptions:
        if want.name not in names:
            continue
        given = stated.get(want.name)
        if given is None:
            notes.append(f"{want.name} not stated")
        elif not want.low <= given <= want.high:
            notes.append(f"{want.name} = {given:,} is outside {want.low:,}..{want.high:,} ({want.why})")
        else:
            ok += 1
    score = ok / max(len(names), 1)
    return score, "; ".join(notes) or f"stated {', '.join(names)} within plausible ranges"


def _memory(scenario: Scenario, answers: Answers, working: list[str]) -> tuple[float, str]:
    model = dict(answers.model)
    kind = str(model.pop("kind", ""))
    if answers.memory_bytes is None or not kind:
        return 0.0, "no memory figure or no model (kind and counts) stated"
    try:
        est = estimate(build_shape(kind, model))
    except RedisprepError as exc:
        return 0.0, f"redisprep cannot size that model: {exc}"
    need: int = scenario.fact(scenario.sizing.entries_fact) or 0
    entries = est.shape.total_entries
    working.append(f"redisprep size {kind}: {est.encoding} ({est.why})")
    working += [
        f"  {ln.part}: {ln.count:,} x {ln.each:,.1f} B = {ln.total / 2**20:,.1f} MiB" for ln in est.lines
    ]
    mine, theirs = est.total_bytes, answers.memory_bytes
    ratio = theirs / mine if mine else float("inf")
    working.append(
        f"  total {mine / 2**20:,.1f} MiB; the candidate said {theirs / 2**20:,.1f} MiB (x{ratio:.2f})"
    )
    if entries < need:
        return (
            0.0,
            f"the model holds {entries:,} entries; the facts need {need:,} ({scenario.sizing.entries_fact})",
        )
    off = max(ratio, 1 / ratio) if ratio > 0 else float("inf")
    verdict = (
        f"{theirs / 2**20:,.0f} MiB vs redisprep's {mine / 2**20:,.0f} MiB for that model (x{ratio:.2f})"
    )
    if off <= 2:
        return 1.0, verdict + ": within 2x"
    return (0.5, verdict + ": more than 2x off") if off < 10 else (0.0, verdict + ": 10x or more off")


def _run(scenario: Scenario, answers: Answers, working: list[str]) -> Ran:
    judge = JUDGES[scenario.judge]
    problems = [
        msg
        for op, params in judge.operations.items()
        for msg in (
            template_problems(answers.design, op, params)
            if answers.design.templates(op)
            else [f"{op}: missing"]
        )
    ]
    if problems:
        working.append("data model not run: " + "; ".join(problems[:4]))
        return Ran({}, (), 0, "not run: " + "; ".join(problems[:2]))
    ran = run_design(answers.design, judge.run, f"interview {scenario.id}")
    working.append(f"data model ran on an embedded server: {ran.sent:,} commands sent")
    for op in judge.operations:
        sent = answers.design.commands(op)
        costs = ", ".join(f"{name} {_complexity(name)}" for name in dict.fromkeys(sent))
        working.append(f"  {op}: {len(sent)} command(s) per call: {costs}")
    working += [f"  refused (not sent): {why}" for why in ran.refused]
    if ran.stopped:
        working.append(f"  stopped: {ran.stopped}")
    return ran


def _complexity(name: str) -> str:
    doc = command_doc(name)
    return (doc.complexity or "?") if doc else "?"


def _choice(scenario: Scenario, answers: Answers, dive_id: str) -> tuple[float, str]:
    dive = scenario.dive(dive_id)
    chosen = dict(answers.choices).get(dive_id)
    assert dive is not None  # lint guarantees it
    remedies = dict(dive.choices)
    if chosen is None:
        return 0.0, "no remedy chosen"
    if chosen not in remedies:
        return 0.0, f"{chosen!r} is not one of the choices ({', '.join(remedies)})"
    measured = ""
    if dive.measure == "hot-key":
        measured = "; " + describe(dict(dive.remedies)[chosen], hot_key_shares())
    if chosen in dive.best:
        return 1.0, f"chose {chosen}: {remedies[chosen]}{measured}"
    best = dive.best[0]
    return 0.0, f"chose {chosen}: {remedies[chosen]}; better: {best}: {remedies[best]}{measured}"


def _proactive(scenario: Scenario, answers: Answers, dive_id: str) -> tuple[float, str]:
    dive = scenario.dive(dive_id)
    assert dive is not None
    for stage, text in answers.notes:
        if stage == "deep_dives":
            continue
        hit = next((w for w in dive.proactive if w in text.lower()), None)
        if hit:
            return 1.0, f"raised {hit!r} unasked in the {stage.replace('_', ' ')} stage"
    return 0.0, f"not raised before the deep dive (words looked for: {', '.join(dive.proactive)})"
