"""An interactive interview: ask each stage's questions with the time left, building an answers document.

The questions and the document are plain data; a terminal (the CLI's) supplies the I/O. After each
stage the caller gets the document so far, so Ctrl-C keeps a partial interview that ``--resume``
continues from the next stage.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from redisprep.interview.answers import parse_bytes
from redisprep.interview.judges import JUDGES
from redisprep.interview.model import STAGES, DeepDive, Scenario, Stage
from redisprep.interview.scenario import count

#: Stages that ask something (the rubric stage only shows the grade).
ASKED = STAGES[:-1]


class InterviewIO(Protocol):
    """What the session needs from a terminal."""

    def show_stage(self, stage: Stage, left_s: float, budget_s: float) -> None: ...

    def ask(self, prompt: str, left_s: float) -> str:
        """One line of answer (raises EOFError at end of input, KeyboardInterrupt on Ctrl-C)."""
        ...

    def show_choices(self, dive: DeepDive) -> None: ...


def parse_model(line: str) -> dict[str, Any]:
    """``zset --members 10M --member-bytes 16`` as ``{"kind": "zset", "members": "10M", ...}``."""
    words = shlex.split(line)
    out: dict[str, Any] = {"kind": words[0]} if words else {}
    i = 1
    while i < len(words):
        name = words[i].lstrip("-").replace("-", "_")
        if i + 1 < len(words) and not words[i + 1].startswith("--"):
            out[name] = words[i + 1]
            i += 2
        else:
            out[name] = True
            i += 1
    return out


class InterviewSession:
    """Walks the asked stages in order from ``start``; ``doc`` is the answers document so far."""

    def __init__(
        self,
        scenario: Scenario,
        io: InterviewIO,
        clock: Callable[[], datetime],
        minutes: float | None = None,
        doc: dict[str, Any] | None = None,
    ) -> None:
        self.scenario = scenario
        self.io = io
        self.clock = clock
        self.scale = (minutes / scenario.minutes) if minutes else 1.0
        self.doc: dict[str, Any] = doc or {"format_version": 1, "scenario": scenario.id}

    def run(self, start: str, after_stage: Callable[[dict[str, Any], str], None]) -> dict[str, Any]:
        """Ask every stage from ``start``; ``after_stage(doc, next_stage)`` runs after each."""
        asking = ASKED[ASKED.index(start) :] if start in ASKED else ()
        for sid in asking:
            stage = next(s for s in self.scenario.stages if s.id == sid)
            budget = stage.minutes * 60 * self.scale
            began = self.clock()

            def left(began: datetime = began, budget: float = budget) -> float:
                return budget - (self.clock() - began).total_seconds()

            self.io.show_stage(stage, left(), budget)
            asked = {
                "requirements": self._requirements,
                "estimate": self._estimate,
                "data-model": self._data_model,
                "deep-dives": self._deep_dives,
            }
            asked[sid](left)
            following = STAGES[STAGES.index(sid) + 1]
            after_stage(self.doc, following)
        return self.doc

    def _number(self, prompt: str, left: Callable[[], float], parse: Callable[[Any], int | None]) -> str:
        """A number as typed (blank: not stated), asked again until it parses."""
        while True:
            text = self.io.ask(prompt, left()).strip()
            if not text or parse(text) is not None:
                return text
            prompt = f"{text!r} is not a number here; {prompt}"

    def _requirements(self, left: Callable[[], float]) -> None:
        got = {}
        for a in self.scenario.assumptions:
            text = self._number(f"{a.name} (a count such as 20k)", left, count)
            if text:
                got[a.name] = text
        notes = self.io.ask("anything else you would say now (optional)", left())
        self.doc["requirements"] = {"assumptions": got, "notes": notes}

    def _estimate(self, left: Callable[[], float]) -> None:
        model = self.io.ask("your memory model as 'redisprep size' options (zset --members 10M)", left())
        section: dict[str, Any] = {"model": parse_model(model)}
        for key, what, parse in (
            ("memory", "memory (1.2GB)", parse_bytes),
            ("ops_per_s", "ops/s", count),
            ("shards", "shards", count),
        ):
            text = self._number(what, left, parse)
            if text:
                section[key] = text
        section["notes"] = self.io.ask("notes (optional)", left())
        self.doc["estimate"] = section

    def _data_model(self, left: Callable[[], float]) -> None:
        judge = JUDGES[self.scenario.judge]
        keys_line = self.io.ask("keys as name=pattern, comma-separated (board=lb:global)", left())
        keys = dict(p.split("=", 1) for p in keys_line.split(",") if "=" in p)
        ops: dict[str, list[str]] = {}
        for op, params in judge.operations.items():
            lines: list[str] = []
            hint = " ".join(f"{{{p}}}" for p in params)
            while len(lines) < 10:
                line = self.io.ask(f"{op} {hint} -> {judge.contract[op]} (blank line ends)", left())
                if not line.strip():
                    break
                lines.append(line.strip())
            if lines:
                ops[op] = lines
        notes = self.io.ask("notes (optional)", left())
        self.doc["data_model"] = {
            "keys": {k.strip(): v.strip() for k, v in keys.items()},
            "operations": ops,
            "notes": notes,
        }

    def _deep_dives(self, left: Callable[[], float]) -> None:
        picks = {}
        for dive in self.scenario.deep_dives:
            self.io.show_choices(dive)
            picks[dive.id] = self.io.ask("your choice (a letter)", left()).strip()
        self.doc["deep_dives"] = picks
