"""Find, load and lint the interview scenarios: every link to a card, drill, judge or rule must resolve."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from redisprep.errors import DataFormatError, UnknownNameError
from redisprep.interview.judges import JUDGES
from redisprep.interview.model import Scenario
from redisprep.interview.scenario import parse_scenario, scenario_files
from redisprep.interview.static import RULES
from redisprep.quiz.deck import deck_files, parse_decks
from redisprep.quiz.model import Problem, Where


@dataclass(frozen=True, slots=True)
class ScenarioLint:
    """What ``redisprep interview lint`` found."""

    files: int
    scenarios: tuple[Scenario, ...]
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        """No problem found."""
        return not self.problems


def lint(folder: Path, flashcards: Path, drills: Path) -> ScenarioLint:
    """Parse every scenario in ``folder`` and check its links against the decks and drills."""
    files = scenario_files(folder)
    problems: list[Problem] = []
    if not files:
        problems.append(Problem(Where(str(folder), None), "no scenario files (*.yaml) in this folder"))
    cards = _card_ids(flashcards)
    scenarios = []
    for path in files:
        found: list[Problem] = []
        scenario = parse_scenario(path, found)
        if scenario is not None:
            found += link_problems(scenario, cards, drills)
        problems += found
        if scenario is not None and not found:
            scenarios.append(scenario)
    return ScenarioLint(len(files), tuple(scenarios), tuple(problems))


def link_problems(s: Scenario, cards: set[str], drills: Path) -> list[Problem]:
    """Problems with what a scenario names: judge, properties, rules, dives, assumptions, cards, drills."""
    out: list[Problem] = []
    at = Where(s.path, None)
    judge = JUDGES.get(s.judge)
    if judge is None:
        out.append(Problem(at, f"unknown judge {s.judge!r} (one of {', '.join(JUDGES)})"))
    seen: set[str] = set()
    names = {a.name for a in s.assumptions}
    dives = {d.id for d in s.deep_dives}
    for p in s.points:
        if p.id in seen:
            out.append(Problem(p.where, f"duplicate rubric point {p.id!r}"))
        seen.add(p.id)
        known: set[str] | None = {
            "assumptions": names,
            "run": set(judge.properties) if judge else set(),
            "static": set(RULES),
            "dive": dives,
            "proactive": dives,
        }.get(p.kind)
        if known is not None:
            for t in p.target or ("",):
                if t not in known:
                    out.append(
                        Problem(p.where, f"{p.kind} target {t!r} is not one of {', '.join(sorted(known))}")
                    )
        for card in p.cards:
            if card not in cards:
                out.append(Problem(p.where, f"no flashcard with id {card!r}"))
        if not (drills / p.drill / "drill.yaml").is_file():
            out.append(Problem(p.where, f"no drill named {p.drill!r} (see 'redisprep drill list')"))
    return out


def load_scenario(folder: Path, name: str, flashcards: Path, drills: Path) -> Scenario:
    """The scenario ``name`` from ``folder``, fully validated (links included).

    Raises:
        UnknownNameError: No such scenario.
        DataFormatError: The file has a problem (``file:line: problem``).
    """
    names = [p.stem for p in scenario_files(folder)]
    if name not in names:
        raise UnknownNameError("scenario", name, names)
    problems: list[Problem] = []
    scenario = parse_scenario(folder / f"{name}.yaml", problems)
    if not problems and scenario is not None:
        problems += link_problems(scenario, _card_ids(flashcards), drills)
    if problems or scenario is None:
        first = problems[0]
        raise DataFormatError(first.where.path, first.where.line, first.problem)
    return scenario


def _card_ids(flashcards: Path) -> set[str]:
    decks, _ = parse_decks(deck_files([flashcards]))
    return {c.id for d in decks for c in d.cards}


def list_scenarios(folder: Path) -> list[Scenario]:
    """Every scenario that parses (``interview list``; ``lint`` reports the others)."""
    out = []
    for path in scenario_files(folder):
        scenario = parse_scenario(path, [])
        if scenario is not None:
            out.append(scenario)
    return out
